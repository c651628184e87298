using System.Net;
using System.Text.Json;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// Microsoft.AspNetCore.Authentication.OpenIdConnect as the relying party: discovery, the code flow with PKCE and
/// login_hint, the back-channel token call, ID token validation against our JWKS, and userinfo — all over real
/// HTTP between two Kestrel servers on loopback.
/// </summary>
public sealed class AspNetCoreRelyingPartyTests
{
    [Fact]
    public async Task SignIn_ValidHint_RelyingPartyValidatesIdTokenAndSignsUserIn()
    {
        var rpBase = SampleRelyingParty.NewBaseAddress();
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(rpBase));
        await using var rp = await SampleRelyingParty.StartAsync(rpBase, server.Issuer);
        using var browser = ManualBrowser.Create();
        var hint = server.Minter.Mint(webAuthnId: "e2e-user-1");

        var (response, visited) = await browser.BrowseAsync(new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(hint)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(visited, uri => uri.AbsolutePath == "/authorize" && uri.Port == server.Issuer.Port);
        var claims = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("e2e-user-1", claims.GetProperty("sub")[0].GetString());
        Assert.Contains("pop", claims.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        // The handler drops iss/aud/nonce after validating them; what it kept came from our ID token and userinfo.
        Assert.Equal("usr-676138078732345317", claims.GetProperty("passkey_sub")[0].GetString());
        Assert.True(claims.TryGetProperty("auth_time", out var authTime) && authTime.GetArrayLength() == 1);
    }

    [Fact]
    public async Task SignIn_TamperedHint_RelyingPartyGetsAccessDeniedAndDoesNotSignIn()
    {
        var rpBase = SampleRelyingParty.NewBaseAddress();
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(rpBase));
        await using var rp = await SampleRelyingParty.StartAsync(rpBase, server.Issuer);
        using var browser = ManualBrowser.Create();
        var hint = server.Minter.Mint();
        var tampered = hint[..^4] + (hint[^4] == 'A' ? "BBBB" : "AAAA");

        var (response, _) = await browser.BrowseAsync(new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(tampered)));
        using var me = await browser.GetAsync(new Uri(rpBase, "/claims"));

        Assert.Contains("access_denied", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task SignIn_ReplayedHint_RelyingPartyGetsAccessDeniedAndDoesNotSignIn()
    {
        var rpBase = SampleRelyingParty.NewBaseAddress();
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(rpBase));
        await using var rp = await SampleRelyingParty.StartAsync(rpBase, server.Issuer);
        using var victim = ManualBrowser.Create();
        using var attacker = ManualBrowser.Create();
        var login = new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(server.Minter.Mint(webAuthnId: "e2e-user-2")));
        var (first, _) = await victim.BrowseAsync(login);
        using (first)
        {
            // Precondition: the hint was good, and is now spent.
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var (response, visited) = await attacker.BrowseAsync(login);
        using var claims = await attacker.GetAsync(new Uri(rpBase, "/claims"));

        Assert.Equal("/failed", visited[^1].AbsolutePath);
        Assert.Contains("access_denied", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, claims.StatusCode);
    }

    [Fact]
    public async Task SignIn_ExpiredHint_RelyingPartyGetsAccessDeniedAndDoesNotSignIn()
    {
        var rpBase = SampleRelyingParty.NewBaseAddress();
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(rpBase));
        await using var rp = await SampleRelyingParty.StartAsync(rpBase, server.Issuer);
        using var browser = ManualBrowser.Create();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Issued 15 minutes ago, expired 10 minutes ago: well past the one-minute clock skew.
        var hint = server.Minter.Mint(payload: p =>
        {
            p["iat"] = now - 900;
            p["nbf"] = now - 910;
            p["exp"] = now - 600;
        });

        var (response, visited) = await browser.BrowseAsync(new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(hint)));
        using var claims = await browser.GetAsync(new Uri(rpBase, "/claims"));

        Assert.Equal("/failed", visited[^1].AbsolutePath);
        Assert.Contains("access_denied", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, claims.StatusCode);
    }
}
