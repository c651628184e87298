using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// What the OpenID Foundation's Basic OP test plan runs against: one server on real Kestrel (the "localhost" host, as
/// WebAuthn needs a domain), the plan's two clients (hosted passkey login, single sign-on, refresh tokens, HS256 request
/// objects), a relying party that receives the authorization responses on a loopback port (query by GET, form_post by
/// POST), and one headless Chromium. One per test class; each test opens its own browser context.
/// </summary>
public sealed class BasicOpFixture : IAsyncLifetime
{
    public const string ClientId = "oidcc-client";
    public const string Secret = "oidcc-client-secret-0123456789abcdef012";
    public const string SecondClientId = "oidcc-client2";
    public const string SecondSecret = "oidcc-client2-secret-0123456789abcdef01";

    private IPlaywright? _playwright;

    public CorbadoOidcServerFactory Server { get; private set; } = null!;
    public ConformanceRelyingParty RelyingParty { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public JsonElement Discovery { get; private set; }
    public IList<SecurityKey> SigningKeys { get; private set; } = [];

    public string RedirectUri => RelyingParty.RedirectUri.AbsoluteUri;

    public async Task InitializeAsync()
    {
        var rpBase = SampleRelyingParty.NewBaseAddress("localhost");
        var redirectUri = new Uri(rpBase, "cb").AbsoluteUri;
        Server = LoopbackOidcServer.Start(ClientId, Secret, new Uri(redirectUri), settings =>
        {
            settings["Clients:2:HostedPasskeyLogin"] = "true";
            settings["Clients:2:AllowRefreshTokens"] = "true";
            settings["Clients:2:AllowSymmetricRequestObjects"] = "true";
            settings["Clients:3:ClientId"] = SecondClientId;
            settings["Clients:3:ClientSecret"] = SecondSecret;
            settings["Clients:3:RedirectUris:0"] = redirectUri;
            settings["Clients:3:HostedPasskeyLogin"] = "true";
            settings["Clients:3:AllowRefreshTokens"] = "true";
        }, host: "localhost");
        RelyingParty = await ConformanceRelyingParty.StartAsync(rpBase);
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Server.Issuer };

        using (var discovery = await Http.GetAsync(".well-known/openid-configuration"))
        {
            Discovery = await discovery.ReadJsonAsync();
        }

        using (var jwks = await Http.GetAsync(Discovery.GetProperty("jwks_uri").GetString()))
        {
            SigningKeys = new JsonWebKeySet(await jwks.Content.ReadAsStringAsync()).GetSigningKeys();
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await HostedPasskeyBrowserTests.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await RelyingParty.DisposeAsync();
        Http.Dispose();
        Server.Dispose();
    }

    /// <summary>The plan's authorization request for the first client: code flow, openid, fresh state and nonce.</summary>
    public Dictionary<string, string?> AuthorizeParameters(string scope = "openid") => OidcProtocol.AuthorizeParameters(null, ClientId, RedirectUri, scope);

    /// <summary>Redeems a code with client_secret_basic (or client_secret_post) and checks the token response (OIDC Core §3.1.3.3).</summary>
    public async Task<Tokens> RedeemAsync(string code, string? nonce, bool clientSecretPost = false, string clientId = ClientId, string secret = Secret, string? codeVerifier = null)
    {
        using var response = await Http.RedeemCodeAsync(code, clientId, secret, RedirectUri, codeVerifier, useBasic: !clientSecretPost);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "");
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString(), StringComparer.OrdinalIgnoreCase);
        Assert.True(json.GetProperty("expires_in").GetInt32() > 0);
        var idToken = await ValidateIdTokenAsync(json.GetProperty("id_token").GetString()!, nonce, clientId);
        return new Tokens(json.GetProperty("access_token").GetString()!, json.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null, idToken);
    }

    /// <summary>
    /// Validates an ID token as the suite does (OIDC Core §3.1.3.7): signed (not <c>none</c>) with a key of the JWKS named
    /// by its <c>kid</c>, <c>iss</c>, <c>aud</c>, <c>exp</c>, <c>iat</c>, <c>sub</c>, <c>auth_time</c>, and the nonce sent.
    /// </summary>
    public async Task<JsonWebToken> ValidateIdTokenAsync(string idToken, string? nonce, string clientId = ClientId)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = Server.Issuer.AbsoluteUri,
            ValidAudience = clientId,
            IssuerSigningKeys = SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidAlgorithms = [.. Discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()!)],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.NotEqual("none", token.Alg);
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.Contains(SigningKeys, k => k.KeyId == token.Kid);
        Assert.False(string.IsNullOrEmpty(token.Subject));
        Assert.True(token.IssuedAt <= DateTime.UtcNow.AddMinutes(1) && token.IssuedAt > DateTime.UtcNow.AddMinutes(-5));
        Assert.True(token.TryGetPayloadValue<long>("auth_time", out _));
        if (nonce is null)
        {
            Assert.False(token.TryGetPayloadValue<string>("nonce", out _));
        }
        else
        {
            Assert.Equal(nonce, token.GetPayloadValue<string>("nonce"));
        }

        return token;
    }

    /// <summary>The userinfo endpoint called with the access token: header by GET, header by POST, or form body by POST (RFC 6750 §2).</summary>
    public async Task<JsonElement> UserInfoAsync(string accessToken, UserInfoCall how = UserInfoCall.GetHeader)
    {
        var endpoint = Discovery.GetProperty("userinfo_endpoint").GetString()!;
        using var request = how switch
        {
            UserInfoCall.GetHeader => new HttpRequestMessage(HttpMethod.Get, endpoint),
            UserInfoCall.PostHeader => new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent([]) },
            _ => new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent([new("access_token", accessToken)]) },
        };
        if (how != UserInfoCall.PostBody)
        {
            request.Headers.Authorization = new("Bearer", accessToken);
        }

        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{how}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Opens a fresh browser context for one test: English, a virtual authenticator, and a passkey enrolled for <paramref name="subject"/>.</summary>
    public async Task<BrowserUser> NewUserAsync(string subject, bool enrol = true, string locale = "en-US", string? responseMode = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
        // The passkey button, not conditional UI: every ceremony is one deliberate click the test can count.
        await context.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = async () => false;");
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var user = new BrowserUser(this, context, page, subject, responseMode);
        await HostedPasskeyBrowserTests.AddVirtualAuthenticatorAsync(page);
        if (enrol)
        {
            await page.GotoAsync(new Uri(Server.Issuer, "passkeys/enrol?token=" + await HostedPasskeyDriver.NewEnrolmentTokenAsync(Server, subject)).AbsoluteUri);
            await page.ClickAsync("#create");
            await page.WaitForSelectorAsync("#status:has-text('Your passkey was created')");
        }

        return user;
    }

    /// <summary>Stores a full profile for <paramref name="subject"/>, so that profile and email claims can be released.</summary>
    public Task SeedProfileAsync(string subject) => Server.SeedProfileAsync(new UserProfile
    {
        Subject = subject,
        Email = subject + "@example.com",
        EmailVerified = true,
        Name = "Conformance " + subject,
        GivenName = "Conformance",
        FamilyName = subject,
        PreferredUsername = subject,
        Locale = "en",
    });
}

public enum UserInfoCall
{
    GetHeader,
    PostHeader,
    PostBody,
}

public sealed record Tokens(string AccessToken, string? RefreshToken, JsonWebToken IdToken)
{
    public long AuthTime => IdToken.GetPayloadValue<long>("auth_time");
}

/// <summary>An authorization response as the relying party received it: by GET (query) or POST (form_post).</summary>
public sealed record Callback(string Method, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// The relying party's redirect URI on a loopback port: records every authorization response by its <c>state</c> and
/// answers a plain page, as the conformance suite's callback does.
/// </summary>
public sealed class ConformanceRelyingParty : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Callback>> _received = new(StringComparer.Ordinal);

    private ConformanceRelyingParty(WebApplication app, Uri baseAddress)
    {
        _app = app;
        RedirectUri = new Uri(baseAddress, "cb");
    }

    public Uri RedirectUri { get; }

    public static async Task<ConformanceRelyingParty> StartAsync(Uri baseAddress)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(baseAddress.AbsoluteUri);
        var app = builder.Build();
        var rp = new ConformanceRelyingParty(app, baseAddress);
        app.MapGet("/cb", (HttpContext context) => rp.Receive("GET", context.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString())));
        app.MapPost("/cb", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            return rp.Receive("POST", form.ToDictionary(p => p.Key, p => p.Value.ToString()));
        }).DisableAntiforgery();
        await app.StartAsync();
        return rp;
    }

    private IResult Receive(string method, Dictionary<string, string> parameters)
    {
        Slot(parameters.GetValueOrDefault("state") ?? "").TrySetResult(new Callback(method, parameters));
        return Results.Content("<!doctype html><html><head><title>Callback</title></head><body><h1 id=\"received\">received</h1></body></html>", "text/html");
    }

    private TaskCompletionSource<Callback> Slot(string state) => _received.GetOrAdd(state, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The response that carried <paramref name="state"/> (waits for it).</summary>
    public Task<Callback> ReceivedAsync(string state) => Slot(state).Task.WaitAsync(TimeSpan.FromSeconds(60));

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>One test's browser: its context, page and passkey, and how many times the hosted page was shown.</summary>
public sealed class BrowserUser(BasicOpFixture fixture, IBrowserContext context, IPage page, string subject, string? responseMode) : IAsyncDisposable
{
    private int _pagesShown;

    public IPage Page { get; } = page;

    public string Subject { get; } = subject;

    public IBrowserContext Context { get; } = context;

    /// <summary><c>form_post</c> for the plan's form_post variant, otherwise null (query).</summary>
    public string? ResponseMode { get; } = responseMode;

    /// <summary>The plan's authorization request in this test's response mode.</summary>
    public Dictionary<string, string?> Parameters(string scope = "openid")
    {
        var parameters = fixture.AuthorizeParameters(scope);
        parameters["response_mode"] = ResponseMode;
        return parameters;
    }

    /// <summary>How often the hosted sign-in page was requested in this context.</summary>
    public int CeremonyPagesShown => _pagesShown;

    /// <summary>
    /// Sends the browser to the authorization endpoint (GET, or an auto-submitted form POST); when
    /// <paramref name="ceremony"/>, expects the hosted page, shows <paramref name="onPage"/> what it wants to check,
    /// and signs in with the passkey button. Returns what the relying party received for the request's state.
    /// </summary>
    public async Task<Callback> AuthorizeAsync(Dictionary<string, string?> parameters, bool ceremony, bool post = false, Func<IPage, Task>? onPage = null,
        string? expectedState = null)
    {
        var shownBefore = _pagesShown;
        void Count(object? sender, IRequest request)
        {
            if (request.IsNavigationRequest && request.Url.Contains("/passkeys/sign-in?request=", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _pagesShown);
            }
        }

        Page.Request += Count;
        try
        {
            var endpoint = fixture.Discovery.GetProperty("authorization_endpoint").GetString()!;
            var present = parameters.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
            if (post)
            {
                await Page.SetContentAsync("<form id=\"authorize\" method=\"post\" action=\"" + WebUtility.HtmlEncode(endpoint) + "\">"
                    + string.Concat(present.Select(p => $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(p.Key)}\" value=\"{WebUtility.HtmlEncode(p.Value)}\">"))
                    + "</form>");
                await Page.EvalOnSelectorAsync("#authorize", "form => form.submit()");
            }
            else
            {
                await Page.GotoAsync(QueryHelpers.AddQueryString(endpoint, present!));
            }

            if (ceremony)
            {
                await Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/passkeys/sign-in\\?request="));
                if (onPage is not null)
                {
                    await onPage(Page);
                }

                await Page.ClickAsync("#passkey");
            }

            var callback = await fixture.RelyingParty.ReceivedAsync(expectedState ?? parameters.GetValueOrDefault("state") ?? "");
            await Page.WaitForSelectorAsync("#received");
            // form_post: the browser got an auto-posting form and the relying party the response by POST; otherwise the query.
            Assert.Equal(parameters.GetValueOrDefault("response_mode") == "form_post" ? "POST" : "GET", callback.Method);
            Assert.Equal(ceremony ? shownBefore + 1 : shownBefore, _pagesShown);
            Assert.Equal(fixture.Server.Issuer.AbsoluteUri, callback.Get("iss"));
            return callback;
        }
        finally
        {
            Page.Request -= Count;
        }
    }

    /// <summary>A whole sign-in: the hosted page and a ceremony, the code redeemed, the ID token validated.</summary>
    public async Task<Tokens> SignInAsync(Action<Dictionary<string, string?>>? vary = null, bool ceremony = true)
    {
        var (code, nonce) = await CodeAsync(vary, ceremony);
        var tokens = await fixture.RedeemAsync(code, nonce);
        Assert.Equal(Subject, tokens.IdToken.Subject);
        return tokens;
    }

    /// <summary>The authorization request (varied), answered with a code and the request's state: the code and the nonce sent.</summary>
    public async Task<(string Code, string? Nonce)> CodeAsync(Action<Dictionary<string, string?>>? vary = null, bool ceremony = true)
    {
        var parameters = Parameters();
        vary?.Invoke(parameters);
        var callback = await AuthorizeAsync(parameters, ceremony);
        Assert.Equal(parameters["state"], callback.Get("state"));
        return (callback.Get("code") ?? throw new InvalidOperationException("No code: " + string.Join("&", callback.Parameters)), parameters["nonce"]);
    }

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
