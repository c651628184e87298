using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The OpenID Foundation's Back-Channel Logout OP test plan (<c>oidcc-backchannel-rp-initiated-logout-certification-test-plan</c>),
/// one test per module, each asserting what the module asserts:
/// <list type="bullet">
/// <item><c>oidcc-backchannel-logout-discovery-endpoint-verification</c>: discovery advertises
/// <c>backchannel_logout_supported</c> and <c>backchannel_logout_session_supported</c> (certification requires
/// <c>sid</c>) and an <c>end_session_endpoint</c>, every endpoint https;</item>
/// <item><c>oidcc-backchannel-rp-initiated-logout</c>: a normal authorization flow (here the hosted passkey page in
/// headless Chromium with a virtual authenticator), the browser sent to the <c>end_session_endpoint</c>; the OP calls the
/// client's <c>backchannel_logout_uri</c> (a real HTTP listener) with a form POST of only <c>logout_token</c>, whose
/// signature verifies against the JWKS and whose claims are those of §2.4 (<c>iss</c>, <c>aud</c>, <c>iat</c> not in the
/// future, <c>jti</c>, <c>events</c> with exactly the back-channel logout member and an empty object, <c>sub</c> and
/// <c>sid</c> of the ID token, no <c>nonce</c>), and sends the browser to the <c>post_logout_redirect_uri</c> with
/// <c>state</c> and no other parameter; a following <c>prompt=none</c> answers an error (<c>login_required</c>).</item>
/// </list>
/// </summary>
public sealed class BackchannelLogoutPlanTests
{
    private const string ClientId = "bcl-conformance";
    private const string Secret = "bcl-conformance-secret-0123456789abcdef";
    private const string Subject = "bcl-conformance-user";
    private const string BackchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    [Fact]
    public async Task oidcc_backchannel_logout_discovery_endpoint_verification()
    {
        using var server = new CorbadoOidcServerFactory();
        using var http = server.CreateProtocolClient();

        using var response = await http.GetAsync(".well-known/openid-configuration");
        var discovery = await response.ReadJsonAsync();

        Assert.True(discovery.GetProperty("backchannel_logout_supported").GetBoolean());
        Assert.True(discovery.GetProperty("backchannel_logout_session_supported").GetBoolean());
        Assert.Equal(new Uri(server.Issuer, "endsession").AbsoluteUri, discovery.GetProperty("end_session_endpoint").GetString());
        var endpoints = discovery.EnumerateObject().Where(member => member.Name.EndsWith("_endpoint", StringComparison.Ordinal) || member.Name == "jwks_uri").ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, endpoint => Assert.StartsWith("https://", endpoint.Value.GetString()));
    }

    [Fact]
    public async Task oidcc_backchannel_rp_initiated_logout()
    {
        // The module's static-client layout: a redirect URI, /post_logout_redirect and /backchannel_logout beside it.
        await using var receiver = new BackchannelLogoutReceiver();
        await receiver.StartAsync();
        // The client's front-channel endpoints on real Kestrel.
        await using var clientPages = new ClientPages();
        await clientPages.StartAsync();
        var clientBase = clientPages.BaseAddress;
        var redirectUri = new Uri(clientBase, "callback").AbsoluteUri;
        var postLogoutUri = new Uri(clientBase, "post_logout_redirect").AbsoluteUri;
        using var server = LoopbackOidcServer.Start(ClientId, Secret, new Uri(redirectUri), settings =>
        {
            settings["Clients:2:HostedPasskeyLogin"] = "true";
            settings["Clients:2:PostLogoutRedirectUris:0"] = postLogoutUri;
            settings["Clients:2:BackchannelLogoutUri"] = receiver.Uri.AbsoluteUri;
            settings["Clients:2:BackchannelLogoutSessionRequired"] = "true";
        }, host: "localhost");
        using var http = new HttpClient { BaseAddress = server.Issuer };
        var discovery = await (await http.GetAsync(".well-known/openid-configuration")).ReadJsonAsync();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HostedPasskeyBrowserTests.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await HostedPasskeyBrowserTests.AddVirtualAuthenticatorAsync(page);
        await page.GotoAsync(new Uri(server.Issuer, "passkeys/enrol?token=" + await HostedPasskeyDriver.NewEnrolmentTokenAsync(server, Subject)).AbsoluteUri);
        await page.ClickAsync("#create");
        await page.WaitForSelectorAsync("#status:has-text('Your passkey was created')");

        // A normal authorization flow: the hosted page, a ceremony, the code at the redirect URI, redeemed.
        var pkce = Pkce.Create();
        var authorize = OidcProtocol.AuthorizeParameters(null, ClientId, redirectUri, "openid");
        authorize["code_challenge"] = pkce.Challenge;
        authorize["code_challenge_method"] = "S256";
        var callback = await clientPages.NavigateForQueryAsync(page, QueryHelpers.AddQueryString(discovery.GetProperty("authorization_endpoint").GetString()!, authorize), redirectUri);
        Assert.Equal(authorize["state"], callback["state"]);
        using var tokenResponse = await http.RedeemCodeAsync(callback["code"].ToString(), ClientId, Secret, redirectUri, pkce.Verifier);
        var idToken = new JsonWebToken((await tokenResponse.ReadJsonAsync()).GetProperty("id_token").GetString());
        Assert.Equal(Subject, idToken.Subject);
        Assert.Empty(receiver.Requests);

        // The browser is sent to the end_session_endpoint.
        var logout = await clientPages.NavigateForQueryAsync(page, QueryHelpers.AddQueryString(discovery.GetProperty("end_session_endpoint").GetString()!, new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken.EncodedToken,
            ["post_logout_redirect_uri"] = postLogoutUri,
            ["state"] = "bcl-state",
        }), postLogoutUri);
        // CheckPostLogoutState, CheckForUnexpectedParametersInPostLogoutRedirect.
        Assert.Equal(["state"], logout.Keys);
        Assert.Equal("bcl-state", logout["state"].ToString());

        // The backchannel_logout_uri is called: a form POST with only logout_token.
        await receiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, TimeSpan.FromSeconds(30), "the back-channel logout request");
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType?.Split(';')[0]);
        Assert.Equal(["logout_token"], request.FormKeys);

        // ValidateLogoutTokenSignature: against the keys at jwks_uri.
        var jwks = new JsonWebKeySet(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString()));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(request.LogoutToken, new TokenValidationParameters
        {
            ValidIssuer = discovery.GetProperty("issuer").GetString(),
            ValidAudience = ClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["logout+jwt"],
        });
        Assert.True(validation.IsValid, validation.Exception?.ToString());
        var logoutToken = (JsonWebToken)validation.SecurityToken;
        Assert.Contains(jwks.Keys, key => key.Kid == logoutToken.Kid);

        // ValidateLogoutTokenClaims: iss, aud, iat not in the future, jti, events with exactly one empty member.
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(logoutToken.EncodedPayload));
        var claims = payload.RootElement;
        Assert.Equal(server.Issuer.AbsoluteUri, claims.GetProperty("iss").GetString());
        Assert.Equal(ClientId, claims.GetProperty("aud").GetString());
        Assert.True(claims.GetProperty("iat").GetInt64() <= DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        Assert.False(string.IsNullOrEmpty(claims.GetProperty("jti").GetString()));
        var events = claims.GetProperty("events");
        Assert.Equal(BackchannelLogoutEvent, Assert.Single(events.EnumerateObject()).Name);
        Assert.Equal(JsonValueKind.Object, events.GetProperty(BackchannelLogoutEvent).ValueKind);
        Assert.Empty(events.GetProperty(BackchannelLogoutEvent).EnumerateObject());
        // CheckIdTokenSubMatchesLogoutToken, CheckIdTokenSidMatchesLogoutToken, CheckLogoutTokenNoNonce, CheckLogoutTokenHasSubOrSid.
        Assert.Equal(idToken.Subject, claims.GetProperty("sub").GetString());
        Assert.Equal(idToken.GetClaim("sid").Value, claims.GetProperty("sid").GetString());
        Assert.False(claims.TryGetProperty("nonce", out _));

        // The prompt=none authorization request after the logout must return an error.
        var silent = OidcProtocol.AuthorizeParameters(null, ClientId, redirectUri, "openid");
        silent["prompt"] = "none";
        var answer = await clientPages.NavigateForQueryAsync(page, QueryHelpers.AddQueryString(discovery.GetProperty("authorization_endpoint").GetString()!, silent), redirectUri);
        Assert.Equal("login_required", answer["error"].ToString());
        Assert.False(answer.ContainsKey("code"));
        Assert.Equal(silent["state"], answer["state"]);
    }
}
