using System.Net;
using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// Microsoft.AspNetCore.Authentication.OpenIdConnect as the relying party: discovery, the code flow with PKCE and
/// login_hint, the back-channel token call, ID token validation against our JWKS, and userinfo — all over real
/// HTTP between two Kestrel servers on loopback.
/// </summary>
public sealed class AspNetCoreRelyingPartyTests
{
    private const string ClientId = "aspnet-rp";
    private const string ClientSecret = "aspnet-rp-secret-0123456789abcdefghij";

    private static async Task<(CorbadoOidcServerFactory Server, WebApplication RelyingParty, Uri RpBase)> StartAsync()
    {
        var serverPort = LoopbackPorts.Free();
        var rpPort = LoopbackPorts.Free();
        var rpBase = new Uri($"http://127.0.0.1:{rpPort}/");
        var server = new CorbadoOidcServerFactory(settings =>
        {
            settings["Clients:2:ClientId"] = ClientId;
            settings["Clients:2:ClientSecret"] = ClientSecret;
            settings["Clients:2:RedirectUris:0"] = new Uri(rpBase, "signin-oidc").AbsoluteUri;
        }, environment: "Development", issuer: $"http://127.0.0.1:{serverPort}/")
        {
            // The RP validates exp/iat against the real clock.
            ConfigureServices = services => services.AddSingleton(TimeProvider.System),
        };
        server.UseKestrel(serverPort);
        server.StartServer();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(rpBase.AbsoluteUri);
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(options =>
            {
                options.Authority = server.Issuer.AbsoluteUri;
                options.RequireHttpsMetadata = false;
                options.ClientId = ClientId;
                options.ClientSecret = ClientSecret;
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                options.Scope.Add("profile");
                options.Scope.Add("email");
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.SaveTokens = true;
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Events.OnRedirectToIdentityProvider = context =>
                {
                    context.ProtocolMessage.LoginHint = context.Properties.Items["login_hint"];
                    return Task.CompletedTask;
                };
                options.Events.OnRemoteFailure = context =>
                {
                    context.Response.Redirect("/failed?error=" + Uri.EscapeDataString(context.Failure?.Message ?? ""));
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/login", (HttpContext context, string hint) =>
            Results.Challenge(new AuthenticationProperties(new Dictionary<string, string?> { ["login_hint"] = hint }) { RedirectUri = "/me" }));
        app.MapGet("/me", (HttpContext context) => context.User.Identity?.IsAuthenticated == true
            ? Results.Json(context.User.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Select(c => c.Value).ToArray()))
            : Results.Unauthorized());
        app.MapGet("/failed", (string error) => Results.Text("failed: " + error));
        await app.StartAsync();
        return (server, app, rpBase);
    }

    /// <summary>
    /// Follows redirects and auto-submitting form_post pages one by one across both servers, as a browser would,
    /// and returns the last response.
    /// </summary>
    private static async Task<(HttpResponseMessage Response, List<Uri> Visited)> BrowseAsync(HttpClient browser, Uri start)
    {
        var visited = new List<Uri>();
        var next = start;
        HttpContent? form = null;
        for (var hop = 0; hop < 10; hop++)
        {
            visited.Add(next);
            var response = form is null ? await browser.GetAsync(next) : await browser.PostAsync(next, form);
            form = null;
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
            {
                next = new Uri(next, response.Headers.Location!);
                response.Dispose();
                continue;
            }

            if (response.Content.Headers.ContentType?.MediaType == "text/html"
                && await OidcProtocol.ParseAsync(response) is { RedirectTarget: { } target } page)
            {
                // OIDC Form Post Response Mode: the page's script would post these fields to the RP.
                next = target;
                form = new FormUrlEncodedContent(page.Parameters);
                response.Dispose();
                continue;
            }

            return (response, visited);
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    [Fact]
    public async Task SignIn_ValidHint_RelyingPartyValidatesIdTokenAndSignsUserIn()
    {
        var (server, rp, rpBase) = await StartAsync();
        await using var _ = rp;
        using var __ = server;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var hint = server.Minter.Mint(webAuthnId: "e2e-user-1");

        var (response, visited) = await BrowseAsync(browser, new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(hint)));

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
        var (server, rp, rpBase) = await StartAsync();
        await using var _ = rp;
        using var __ = server;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var hint = server.Minter.Mint();
        var tampered = hint[..^4] + (hint[^4] == 'A' ? "BBBB" : "AAAA");

        var (response, _) = await BrowseAsync(browser, new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(tampered)));
        using var me = await browser.GetAsync(new Uri(rpBase, "/me"));

        Assert.Contains("access_denied", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }
}
