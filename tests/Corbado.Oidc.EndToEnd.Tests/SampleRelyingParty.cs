using System.Net;
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
/// A relying party built on Microsoft.AspNetCore.Authentication.OpenIdConnect, on its own Kestrel port: the code flow
/// with PKCE and login_hint, ID token validation against the issuer's JWKS, userinfo, and a cookie session.
/// <list type="bullet">
/// <item><c>/</c> a home page with a sign-in link; <c>/signin</c> plays the passkey vendor's hosted sign-in (it
/// obtains a signedPasskeyData from <c>passkeyVendor</c>) and challenges with it as login_hint;</item>
/// <item><c>/login?hint=…</c> challenges with a hint the caller brings;</item>
/// <item><c>/signin-hosted</c> challenges without a hint, <c>/signin-silent</c> with <c>prompt=none</c>;</item>
/// <item><c>/me</c> an HTML page with the signed-in subject; <c>/claims</c> the session's claims as JSON (401 without
/// a session); <c>/id-token</c> the saved ID token; <c>/failed?error=…</c> the failure path;</item>
/// <item><c>/signout</c> RP-initiated logout (the handler sends the saved ID token as <c>id_token_hint</c> and
/// <c>/signout-callback-oidc</c> as <c>post_logout_redirect_uri</c>), landing on <c>/signed-out</c>.</item>
/// </list>
/// </summary>
internal sealed class SampleRelyingParty : IAsyncDisposable
{
    public const string ClientId = "aspnet-rp";
    public const string ClientSecret = "aspnet-rp-secret-0123456789abcdefghij";

    private readonly WebApplication _app;

    private SampleRelyingParty(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>A free loopback base address for a relying party not started yet.</summary>
    public static Uri NewBaseAddress(string host = "127.0.0.1") => new($"http://{host}:{LoopbackPorts.Free()}/");

    /// <summary>The redirect URI the handler uses (its default CallbackPath).</summary>
    public static Uri RedirectUri(Uri baseAddress) => new(baseAddress, "signin-oidc");

    public static async Task<SampleRelyingParty> StartAsync(Uri baseAddress, Uri authority, Func<string>? passkeyVendor = null, string clientId = ClientId)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(baseAddress.AbsoluteUri);
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            // Cookies are not isolated by port: two relying parties on one loopback host need their own cookie names.
            .AddCookie(options => options.Cookie.Name = ".sample-rp." + clientId)
            .AddOpenIdConnect(options =>
            {
                options.Authority = authority.AbsoluteUri;
                options.RequireHttpsMetadata = false;
                options.ClientId = clientId;
                options.ClientSecret = ClientSecret;
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                options.Scope.Add("profile");
                options.Scope.Add("email");
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.SaveTokens = true;
                // Plain http on loopback: browsers drop SameSite=None cookies that are not Secure, and RP and issuer
                // are same-site (127.0.0.1), so Lax still carries the correlation and nonce cookies back.
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.Events.OnRedirectToIdentityProvider = context =>
                {
                    // Without one (the hosted passkey page's relying parties), no login_hint is sent.
                    context.ProtocolMessage.LoginHint = context.Properties.Items.TryGetValue("login_hint", out var hint) ? hint : null;
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
        app.MapGet("/", () => Results.Content(
            "<!doctype html><html><head><title>Sample RP</title></head><body><a id=\"sign-in\" href=\"/signin\">Sign in with a passkey</a></body></html>",
            "text/html"));
        app.MapGet("/signin", () => passkeyVendor is null
            ? Results.NotFound()
            : Challenge(passkeyVendor(), "/me"));
        app.MapGet("/login", (string hint) => Challenge(hint, "/claims"));
        app.MapGet("/signin-hosted", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/me" }));
        app.MapGet("/signin-silent", () => Results.Challenge(new OpenIdConnectChallengeProperties { Prompt = "none", RedirectUri = "/me" }));
        app.MapGet("/signout", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/signed-out" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapGet("/signed-out", () => Results.Content(
            "<!doctype html><html><head><title>Signed out</title></head><body><h1>Signed out of the relying party</h1></body></html>", "text/html"));
        app.MapGet("/id-token", async (HttpContext context) => await context.GetTokenAsync("id_token") is { } idToken
            ? Results.Text(idToken)
            : Results.Unauthorized());
        app.MapGet("/me", (HttpContext context) => context.User.Identity?.IsAuthenticated == true
            ? Results.Content(
                "<!doctype html><html><head><title>Signed in</title></head><body><p>Signed in as <span id=\"subject\">"
                + WebUtility.HtmlEncode(context.User.FindFirst("sub")?.Value) + "</span></p></body></html>",
                "text/html")
            : Results.Unauthorized());
        app.MapGet("/claims", (HttpContext context) => context.User.Identity?.IsAuthenticated == true
            ? Results.Json(context.User.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Select(c => c.Value).ToArray()))
            : Results.Unauthorized());
        app.MapGet("/failed", (string error) => Results.Text("failed: " + error));
        await app.StartAsync();
        return new SampleRelyingParty(app, baseAddress);
    }

    private static IResult Challenge(string loginHint, string returnUrl)
        => Results.Challenge(new AuthenticationProperties(new Dictionary<string, string?> { ["login_hint"] = loginHint }) { RedirectUri = returnUrl });

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
