using System.Net;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Client;
using OpenIddict.Client.AspNetCore;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// OpenIddict.Client (ASP.NET Core and System.Net.Http integrations) as the relying party: discovery, the code flow
/// with PKCE and login_hint, the code exchange with ID token validation, and userinfo, over real HTTP on loopback.
/// </summary>
public sealed class OpenIddictClientRelyingPartyTests
{
    private const string ClientId = "openiddict-rp";
    private const string ClientSecret = "openiddict-rp-secret-0123456789abcdefgh";
    private const string UserInfoItem = "userinfo";

    private static async Task<WebApplication> StartRelyingPartyAsync(Uri baseAddress, Uri issuer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(baseAddress.AbsoluteUri);
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict()
            .AddClient(options =>
            {
                options.AllowAuthorizationCodeFlow();
                // No database in this relying party: state tokens are self-contained, protected by ephemeral keys.
                options.DisableTokenStorage();
                options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                options.UseAspNetCore()
                    .EnableRedirectionEndpointPassthrough()
                    // The relying party and the test issuer speak plain http on loopback.
                    .DisableTransportSecurityRequirement();
                options.UseSystemNetHttp();
                // Keeps what /userinfo answered for the callback to show, so the test can tell it was called.
                options.AddEventHandler<OpenIddictClientEvents.ProcessAuthenticationContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.UserInfoResponse is { } userInfo && context.Transaction.GetHttpRequest() is { } request)
                        {
                            request.HttpContext.Items[UserInfoItem] = userInfo.GetParameters().ToDictionary(p => p.Key, p => (string?)p.Value);
                        }

                        return default;
                    })
                    .SetOrder(int.MaxValue - 100_000)
                    .SetType(OpenIddictClientHandlerType.Custom));
                options.AddRegistration(new OpenIddictClientRegistration
                {
                    Issuer = issuer,
                    ProviderName = "corbado",
                    ClientId = ClientId,
                    ClientSecret = ClientSecret,
                    RedirectUri = new Uri("callback/login/corbado", UriKind.Relative),
                    Scopes = { "openid", "profile", "email" },
                });
            });
        // The correlation cookie is Secure by default: a browser never sends it back over plain http.
        builder.Services.Configure<OpenIddictClientAspNetCoreOptions>(options => options.CookieBuilder.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/login", (string hint) => Results.Challenge(
            new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictClientAspNetCoreConstants.Properties.LoginHint] = hint }),
            [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]));
        app.MapMethods("/callback/login/corbado", [HttpMethods.Get, HttpMethods.Post], async (HttpContext context) =>
        {
            var result = await context.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
            if (!result.Succeeded)
            {
                return Results.Json(new { error = result.Failure?.Message ?? "not authenticated" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            return Results.Json(new
            {
                claims = result.Principal.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Select(c => c.Value).ToArray()),
                userinfo = context.Items[UserInfoItem],
            });
        });
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task SignIn_ValidHint_OpenIddictClientValidatesIdTokenAndMergesUserInfo()
    {
        var rpBase = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");
        using var server = LoopbackOidcServer.Start(ClientId, ClientSecret, new Uri(rpBase, "callback/login/corbado"));
        await server.SeedProfileAsync(new UserProfile { Subject = "openiddict-user-1", Email = "oi@example.com", EmailVerified = true, Name = "OpenIddict User" });
        await using var rp = await StartRelyingPartyAsync(rpBase, server.Issuer);
        using var browser = ManualBrowser.Create();
        var hint = server.Minter.Mint(webAuthnId: "openiddict-user-1");

        var (response, visited) = await browser.BrowseAsync(new Uri(rpBase, "/login?hint=" + Uri.EscapeDataString(hint)));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} after {string.Join(" -> ", visited.Select(v => v.GetLeftPart(UriPartial.Path)))}: {body}");
        var authorize = Assert.Single(visited, uri => uri.AbsolutePath == "/authorize" && uri.Port == server.Issuer.Port);
        var authorizeQuery = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal(hint, authorizeQuery["login_hint"]);
        Assert.Equal("S256", authorizeQuery["code_challenge_method"]);
        Assert.NotEmpty(authorizeQuery["nonce"].ToString());
        var result = JsonDocument.Parse(body).RootElement;
        var claims = result.GetProperty("claims");
        Assert.Equal("openiddict-user-1", claims.GetProperty("sub")[0].GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, claims.GetProperty("iss")[0].GetString());
        Assert.Equal(ClientId, claims.GetProperty("aud")[0].GetString());
        Assert.Contains("pop", claims.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("oi@example.com", claims.GetProperty("email")[0].GetString());
        Assert.Equal("OpenIddict User", claims.GetProperty("name")[0].GetString());
        var userInfo = result.GetProperty("userinfo");
        Assert.Equal("openiddict-user-1", userInfo.GetProperty("sub").GetString());
        Assert.Equal("OpenIddict User", userInfo.GetProperty("name").GetString());
    }
}
