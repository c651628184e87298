using System.Net;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The OpenID Foundation's RP-Initiated Logout test plan, one test per module, against a server on real Kestrel over real
/// HTTP: each test holds a live session (its <c>__Host-</c> cookie sent as a browser would) and an ID token issued
/// within it, sends the module's logout request to the discovered <c>end_session_endpoint</c>, and asserts what the module
/// asserts: a redirect to the registered URI with <c>state</c> only for a request that validates, otherwise a page and
/// never a redirect; and whether the session ended (the next <c>prompt=none</c> answers <c>login_required</c>).
/// </summary>
public sealed class RpInitiatedLogoutPlanTests : IDisposable
{
    private const string ClientId = "rp-logout";
    private const string Secret = "rp-logout-secret-0123456789abcdef0123";
    private const string RedirectUri = "https://rp-logout.example.com/callback";
    private const string PostLogoutUri = "https://rp-logout.example.com/signed-out";
    private const string PostLogoutUriWithQuery = "https://rp-logout.example.com/signed-out?tenant=one";
    private const string Subject = "logout-user";

    private readonly CorbadoOidcServerFactory _server;
    private readonly HttpClient _http;
    private readonly LogCapture _logs = new();

    public RpInitiatedLogoutPlanTests()
    {
        _server = LoopbackOidcServer.Start(ClientId, Secret, new Uri(RedirectUri), settings =>
        {
            settings["Clients:2:HostedPasskeyLogin"] = "true";
            settings["Clients:2:PostLogoutRedirectUris:0"] = PostLogoutUri;
            settings["Clients:2:PostLogoutRedirectUris:1"] = PostLogoutUriWithQuery;
            // Every line of every category, request logging included: no id_token_hint may be in any of them.
            settings["Logging:LogLevel:Default"] = "Trace";
        }, host: "localhost", services: services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs));
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _server.Issuer };
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    /// <summary>A session as a ceremony on the hosted page starts it, and an ID token issued within it.</summary>
    private async Task<(string Cookie, string IdToken, string Sid)> SignedInAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var (handle, session) = await _server.Services.GetRequiredService<IdpSessions>().SignedInAsync(null, Subject, now, ["pop", "user"], ClientId, default);
        var grant = LoginGrants.For(new Core.PasskeyLogin.VerifiedPasskeyLogin(Subject, null, now, now, "hosted_passkey", "x"), ClientId, ["openid"], RedirectUri, null, null)
            with { Sid = session.Sid };
        var idToken = _server.Services.GetRequiredService<LoginTokenWriter>().Write(grant, []).IdToken!;
        return (SessionCookie.Name + "=" + handle, idToken, session.Sid);
    }

    private async Task<Uri> EndSessionEndpointAsync()
    {
        using var discovery = await _http.GetAsync(".well-known/openid-configuration");
        return new Uri((await discovery.ReadJsonAsync()).GetProperty("end_session_endpoint").GetString()!);
    }

    private async Task<HttpResponseMessage> LogoutAsync(string? cookie, Dictionary<string, string?> parameters, bool post = false)
    {
        var endpoint = await EndSessionEndpointAsync();
        using var message = post
            ? new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!)) }
            : new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString(endpoint.AbsoluteUri, parameters));
        if (cookie is not null)
        {
            message.Headers.Add("Cookie", cookie);
        }

        return await _http.SendAsync(message);
    }

    /// <summary>Whether the browser's session still answers <c>prompt=none</c> with a code.</summary>
    private async Task<bool> StillSignedInAsync(string cookie)
    {
        var parameters = OidcProtocol.AuthorizeParameters(null, ClientId, RedirectUri);
        parameters["prompt"] = "none";
        using var message = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString("authorize", parameters));
        message.Headers.Add("Cookie", cookie);
        using var response = await _http.SendAsync(message);
        var answer = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        return answer.ContainsKey("code");
    }

    private static async Task AssertPageNoRedirectAsync(HttpResponseMessage response, HttpStatusCode status, string text)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains(text, await response.Content.ReadAsStringAsync());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout()
    {
        var (cookie, idToken, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = PostLogoutUri, ["state"] = "s-1" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(PostLogoutUri + "?state=s-1", response.Headers.Location!.AbsoluteUri);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SessionCookie.Name + "=;", StringComparison.Ordinal));
        Assert.False(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_no_state()
    {
        var (cookie, idToken, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = PostLogoutUri }, post: true);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(PostLogoutUri, response.Headers.Location!.AbsoluteUri);
        Assert.False(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_bad_post_logout_redirect_uri()
    {
        var (cookie, idToken, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = PostLogoutUri + "/other", ["state"] = "s" });

        await AssertPageNoRedirectAsync(response, HttpStatusCode.BadRequest, "cannot be used");
        Assert.True(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_modified_id_token_hint()
    {
        var (cookie, idToken, _) = await SignedInAsync();
        var parts = idToken.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])).Replace(Subject, "somebody-else");
        var modified = parts[0] + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload) + "." + parts[2];

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = modified, ["post_logout_redirect_uri"] = PostLogoutUri, ["state"] = "s" });

        await AssertPageNoRedirectAsync(response, HttpStatusCode.BadRequest, "cannot be used");
        Assert.True(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_no_id_token_hint()
    {
        var (cookie, _, _) = await SignedInAsync();

        // No proof of who asks: the user is asked, and the URI is not followed (no client_id to check it against).
        using var response = await LogoutAsync(cookie, new() { ["post_logout_redirect_uri"] = PostLogoutUri, ["state"] = "s" });
        await AssertPageNoRedirectAsync(response, HttpStatusCode.OK, "Sign out?");
        Assert.True(await StillSignedInAsync(cookie));

        var confirmation = System.Text.RegularExpressions.Regex.Match(await response.Content.ReadAsStringAsync(), "name=\"confirmation\" value=\"([^\"]+)\"").Groups[1].Value;
        using var forged = await PostConfirmAsync(null, confirmation);
        await AssertPageNoRedirectAsync(forged, HttpStatusCode.BadRequest, "cannot be used");
        Assert.True(await StillSignedInAsync(cookie));

        using var confirmed = await PostConfirmAsync(cookie, confirmation);
        await AssertPageNoRedirectAsync(confirmed, HttpStatusCode.OK, "You are signed out");
        Assert.False(await StillSignedInAsync(cookie));
    }

    private async Task<HttpResponseMessage> PostConfirmAsync(string? cookie, string confirmation)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(await EndSessionEndpointAsync() + "/confirm"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["confirmation"] = confirmation }),
        };
        if (cookie is not null)
        {
            message.Headers.Add("Cookie", cookie);
        }

        return await _http.SendAsync(message);
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_bad_id_token_hint()
    {
        var (cookie, _, _) = await SignedInAsync();
        // An ID token signed by a key that is not ours.
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var foreign = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = _server.Issuer.AbsoluteUri,
            Audience = ClientId,
            Claims = new Dictionary<string, object> { ["sub"] = Subject },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(key), "RS256"),
        });

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = foreign, ["post_logout_redirect_uri"] = PostLogoutUri, ["state"] = "s" });

        await AssertPageNoRedirectAsync(response, HttpStatusCode.BadRequest, "cannot be used");
        Assert.True(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_query_added_to_post_logout_redirect_uri()
    {
        var (cookie, idToken, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = PostLogoutUriWithQuery, ["state"] = "s-2" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var target = response.Headers.Location!;
        Assert.Equal(PostLogoutUri, target.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(target.Query);
        Assert.Equal("one", query["tenant"].ToString());
        Assert.Equal("s-2", query["state"].ToString());
        Assert.False(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_no_params()
    {
        var (cookie, _, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, []);

        await AssertPageNoRedirectAsync(response, HttpStatusCode.OK, "Sign out?");
        Assert.True(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_only_state()
    {
        var (cookie, _, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, new() { ["state"] = "only" });

        await AssertPageNoRedirectAsync(response, HttpStatusCode.OK, "Sign out?");
        Assert.DoesNotContain("only", response.Headers.Location?.OriginalString ?? "");
    }

    [Fact]
    public async Task oidcc_rp_initiated_logout_no_post_logout_redirect_uri()
    {
        var (cookie, idToken, _) = await SignedInAsync();

        using var response = await LogoutAsync(cookie, new() { ["id_token_hint"] = idToken, ["state"] = "s", ["ui_locales"] = "de" });

        await AssertPageNoRedirectAsync(response, HttpStatusCode.OK, "Sie sind abgemeldet");
        Assert.False(await StillSignedInAsync(cookie));
    }

    [Fact]
    public async Task CrossSitePostWithoutCookie_HintKeptServerSide_SessionEndedByTheHintsSid()
    {
        var (cookie, idToken, _) = await SignedInAsync();

        // A relying party's cross-site POST carries no Lax cookie: it is answered by a GET that carries the cookie, and
        // whose URL holds only a single-use handle of the parameters kept on the server, never the hint.
        using var response = await LogoutAsync(null, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = PostLogoutUri, ["state"] = "s-post" }, post: true);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(_server.Issuer, response.Headers.Location!);
        Assert.Equal(new Uri(_server.Issuer, "endsession").AbsoluteUri, location.GetLeftPart(UriPartial.Path));
        var kept = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(["logout_request"], kept.Keys);
        Assert.DoesNotContain(idToken, location.OriginalString);
        Assert.DoesNotContain(PostLogoutUri, Uri.UnescapeDataString(location.OriginalString));
        Assert.True(await StillSignedInAsync(cookie));

        using var followed = await GetAsync(location, cookie);
        Assert.Equal(PostLogoutUri + "?state=s-post", followed.Headers.Location!.AbsoluteUri);
        Assert.Contains(followed.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SessionCookie.Name + "=;", StringComparison.Ordinal));
        Assert.False(await StillSignedInAsync(cookie));
        Assert.Empty(await _server.Services.GetRequiredService<IdpSessions>().ListAsync(Subject, default));

        // The handle is single use, and stands alone.
        using var replayed = await GetAsync(location, null);
        await AssertPageNoRedirectAsync(replayed, HttpStatusCode.BadRequest, "cannot be used");
        using var another = await LogoutAsync(null, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = PostLogoutUri }, post: true);
        using var mixed = await GetAsync(new Uri(new Uri(_server.Issuer, another.Headers.Location!).AbsoluteUri + "&state=added"), null);
        await AssertPageNoRedirectAsync(mixed, HttpStatusCode.BadRequest, "cannot be used");

        // No log line (request logging at Trace included) holds the hint.
        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(idToken, StringComparison.Ordinal) || line.Contains(idToken.Split('.')[2], StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> GetAsync(Uri uri, string? cookie)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        if (cookie is not null)
        {
            message.Headers.Add("Cookie", cookie);
        }

        return await _http.SendAsync(message);
    }
}
