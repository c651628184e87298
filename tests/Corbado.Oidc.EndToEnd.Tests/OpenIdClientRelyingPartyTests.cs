using System.Text.Json;
using Corbado.Oidc.Core.Claims;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// panva's openid-client (npm, v6) as the relying party, run by node: discovery, the code flow with PKCE S256, nonce,
/// state and login_hint, the code exchange with ID token validation, and userinfo (js/rp.mjs).
/// </summary>
public sealed class OpenIdClientRelyingPartyTests
{
    private const string ClientId = "openid-client-rp";
    private const string ClientSecret = "openid-client-rp-secret-0123456789abcdef";
    private static readonly Uri RedirectUri = new("http://127.0.0.1/openid-client/callback");

    [Fact]
    public async Task SignIn_ValidHint_OpenIdClientValidatesIdTokenAndFetchesUserInfo()
    {
        using var server = LoopbackOidcServer.Start(ClientId, ClientSecret, RedirectUri);
        await server.SeedProfileAsync(new UserProfile { Subject = "node-user-1", Email = "node@example.com", EmailVerified = true, Name = "Node User" });
        var environment = new Dictionary<string, string>
        {
            ["OIDC_ISSUER"] = server.Issuer.AbsoluteUri,
            ["OIDC_CLIENT_ID"] = ClientId,
            ["OIDC_CLIENT_SECRET"] = ClientSecret,
            ["OIDC_REDIRECT_URI"] = RedirectUri.AbsoluteUri,
            ["OIDC_LOGIN_HINT"] = server.Minter.Mint(webAuthnId: "node-user-1"),
        };

        var output = await NodeScript.RunAsync("rp.mjs", environment, TimeSpan.FromSeconds(60));

        var result = JsonDocument.Parse(output).RootElement;
        var idToken = result.GetProperty("idToken");
        var userInfo = result.GetProperty("userinfo");
        Assert.Equal(RedirectUri.AbsoluteUri, result.GetProperty("callback").GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, result.GetProperty("issuerParameter").GetString());
        Assert.Equal("node-user-1", idToken.GetProperty("sub").GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, idToken.GetProperty("iss").GetString());
        var audience = idToken.GetProperty("aud");
        Assert.Contains(ClientId, audience.ValueKind == JsonValueKind.Array ? audience.EnumerateArray().Select(a => a.GetString()) : [audience.GetString()]);
        Assert.Equal(result.GetProperty("nonce").GetString(), idToken.GetProperty("nonce").GetString());
        Assert.Contains("pop", idToken.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("node@example.com", idToken.GetProperty("email").GetString());
        Assert.Equal(idToken.GetProperty("sub").GetString(), userInfo.GetProperty("sub").GetString());
        Assert.Equal("Node User", userInfo.GetProperty("name").GetString());
        Assert.True(userInfo.GetProperty("email_verified").GetBoolean());
    }
}
