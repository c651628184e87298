using System.Text.Json;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// A logout token as a relying party built on panva's openid-client and jose validates it (js/backchannel-logout.mjs):
/// received over real HTTP by a loopback back-channel logout endpoint, verified against the JWKS the server serves.
/// </summary>
public sealed class BackchannelLogoutTests
{
    private const string ClientId = "backchannel-rp";
    private const string ClientSecret = "backchannel-rp-secret-0123456789abcdef";
    private static readonly Uri RedirectUri = new("http://127.0.0.1/backchannel/callback");

    [Fact]
    public async Task SessionEnd_LogoutToken_VerifiesWithJoseAgainstTheJwks()
    {
        await using var receiver = new BackchannelLogoutReceiver();
        await receiver.StartAsync();
        using var server = LoopbackOidcServer.Start(ClientId, ClientSecret, RedirectUri, settings =>
        {
            settings["Clients:2:BackchannelLogoutUri"] = receiver.Uri.AbsoluteUri;
            settings["Clients:2:BackchannelLogoutSessionRequired"] = "true";
        });

        await SessionEnds.EndAsync(server.Services, new EndedSession("node-sid", "node-user", [ClientId], SessionEndReason.Logout));
        await receiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, TimeSpan.FromSeconds(20), "the logout token");
        var output = await NodeScript.RunAsync("backchannel-logout.mjs", new Dictionary<string, string>
        {
            ["OIDC_ISSUER"] = server.Issuer.AbsoluteUri,
            ["OIDC_CLIENT_ID"] = ClientId,
            ["LOGOUT_TOKEN"] = receiver.Acknowledged[0].LogoutToken!,
        }, TimeSpan.FromSeconds(60));

        var result = JsonDocument.Parse(output).RootElement;
        var header = result.GetProperty("protectedHeader");
        var payload = result.GetProperty("payload");
        Assert.Equal("logout+jwt", header.GetProperty("typ").GetString());
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, payload.GetProperty("iss").GetString());
        Assert.Equal(ClientId, payload.GetProperty("aud").GetString());
        Assert.Equal("node-user", payload.GetProperty("sub").GetString());
        Assert.Equal("node-sid", payload.GetProperty("sid").GetString());
        Assert.Equal(120, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.False(payload.TryGetProperty("nonce", out _));
    }
}
