using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.FastPath;

/// <summary>
/// <c>Oidc:FastPath</c>: the common login is answered before OpenIddict's pipeline. It must be taken for the common
/// request, left alone for everything else, and give relying parties exactly what OpenIddict gives them.
/// </summary>
public sealed class FastPathTests
{
    private const string Subject = "user-fast-path";
    private const string FastPathEvent = "[2007]";

    private const string OktaClientId = "okta-secret";
    private const string OktaSecret = "okta-secret-0123456789abcdefghijklmnop";
    private const string OktaRedirectUri = "https://example.okta.com/oauth2/v1/authorize/callback";

    private static CorbadoOidcServerFactory CreateFactory(LogCapture capture, bool fastPath = true, TestSigningKey? oktaClientKey = null) => new(settings =>
    {
        settings["Oidc:FastPath"] = fastPath ? "true" : "false";
        settings["Logging:LogLevel:Corbado"] = "Debug";
        settings["Clients:0:AllowRefreshTokens"] = "true";
        // A client as Okta's IdP settings make it: request objects signed with the secret (its default) or its key pair.
        settings["Clients:2:ClientId"] = OktaClientId;
        settings["Clients:2:ClientSecret"] = OktaSecret;
        settings["Clients:2:RedirectUris:0"] = OktaRedirectUri;
        settings["Clients:2:AllowSymmetricRequestObjects"] = "true";
        if (oktaClientKey is not null)
        {
            settings["Clients:2:Jwks"] = TestSigningKey.ToJwksJson(oktaClientKey);
        }
    })
    {
        ConfigureServices = services => services.AddSingleton<ILoggerProvider>(capture),
    };

    private static int FastPathLines(LogCapture capture, string endpoint)
        => capture.Lines.Count(line => line.Contains(FastPathEvent, StringComparison.Ordinal) && line.Contains("Request to " + endpoint + " ", StringComparison.Ordinal));

    private static Dictionary<string, string?> RequestWithPkce(CorbadoOidcServerFactory factory, Pkce pkce)
    {
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(webAuthnId: Subject));
        request["code_challenge"] = pkce.Challenge;
        request["code_challenge_method"] = "S256";
        return request;
    }

    private static async Task<JsonElement> LoginAsync(CorbadoOidcServerFactory factory, HttpClient client, Action<Dictionary<string, string?>>? vary = null)
    {
        var pkce = Pkce.Create();
        var request = RequestWithPkce(factory, pkce);
        vary?.Invoke(request);

        var authorization = await client.AuthorizeAsync(request);
        Assert.NotNull(authorization.Code);
        using var response = await client.RedeemCodeAsync(authorization.Code!, codeVerifier: pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Login_CommonRequest_IsAnsweredOnTheFastPathAtBothEndpoints()
    {
        var capture = new LogCapture();
        using var factory = CreateFactory(capture);
        using var client = factory.CreateProtocolClient();

        await LoginAsync(factory, client);

        Assert.Equal(1, FastPathLines(capture, "/authorize"));
        Assert.Equal(1, FastPathLines(capture, "/token"));
    }

    [Theory]
    [InlineData("max_age", "300", "a parameter repeated, empty or not understood")]
    [InlineData("prompt", "login", "a parameter repeated, empty or not understood")]
    [InlineData("ui_locales", "de", "a parameter repeated, empty or not understood")]
    [InlineData("response_mode", "form_post", "response_mode")]
    public async Task Login_RequestBeyondTheFastPath_IsAnsweredByOpenIddictAndStillWorks(string parameter, string value, string condition)
    {
        var capture = new LogCapture();
        using var factory = CreateFactory(capture);
        using var client = factory.CreateProtocolClient();

        var tokens = await LoginAsync(factory, client, request => request[parameter] = value);

        Assert.NotNull(tokens.GetProperty("id_token").GetString());
        Assert.Equal(0, FastPathLines(capture, "/authorize"));
        // The fast door says why it passed the request on: the first condition it failed (event 2010).
        Assert.Contains(capture.Lines, line => line.Contains("[2010]", StringComparison.Ordinal)
            && line.Contains("Request to /authorize passed on to OpenIddict: " + condition + " ", StringComparison.Ordinal));
        // Both doors issue the login flow's codes, so the fast door redeems a code OpenIddict's door issued.
        Assert.Equal(1, FastPathLines(capture, "/token"));
    }

    [Fact]
    public async Task Refresh_WithoutScope_IsAnsweredOnTheFastPath_AndWithAScopeByOpenIddict()
    {
        var capture = new LogCapture();
        using var factory = CreateFactory(capture);
        using var client = factory.CreateProtocolClient();
        var login = await LoginAsync(factory, client, request => request["scope"] = "openid offline_access");

        var refreshed = await RefreshAsync(client, login.GetProperty("refresh_token").GetString()!);
        Assert.Equal(2, FastPathLines(capture, "/token"));
        var narrowed = await RefreshAsync(client, refreshed.GetProperty("refresh_token").GetString()!, scope: "openid");

        Assert.NotNull(narrowed.GetProperty("id_token").GetString());
        Assert.Equal(2, FastPathLines(capture, "/token"));
        Assert.Contains(capture.Lines, line => line.Contains("[2010]", StringComparison.Ordinal)
            && line.Contains("Request to /token passed on to OpenIddict: a parameter repeated, empty or not of the grant ", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> RefreshAsync(HttpClient client, string refreshToken, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await client.PostWithBasicAsync("token", new FormUrlEncodedContent(form),
            CorbadoOidcServerFactory.ConfidentialClientId, CorbadoOidcServerFactory.ConfidentialClientSecret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Login_FastPathOff_NothingIsAnsweredOnTheFastPath()
    {
        var capture = new LogCapture();
        using var factory = CreateFactory(capture, fastPath: false);
        using var client = factory.CreateProtocolClient();

        await LoginAsync(factory, client);

        Assert.Equal(0, FastPathLines(capture, "/authorize"));
        Assert.Equal(0, FastPathLines(capture, "/token"));
    }

    [Fact]
    public async Task Login_BothPaths_GiveTheSameIdTokenClaimsAndUserInfo()
    {
        var results = new List<(JsonWebToken IdToken, JsonElement UserInfo)>();
        foreach (var fastPath in new[] { true, false })
        {
            using var factory = CreateFactory(new LogCapture(), fastPath);
            await factory.Services.GetRequiredService<EfUserProfileStore>().UpsertAsync(
                [new UserProfile { Subject = Subject, Email = "fast@example.com", EmailVerified = true, Name = "Fast Path", PreferredUsername = "fast" }],
                CancellationToken.None);
            using var client = factory.CreateProtocolClient();
            var tokens = await LoginAsync(factory, client, request => request["nonce"] = "the-nonce");

            using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, "userinfo");
            userInfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
            using var userInfo = await client.SendAsync(userInfoRequest);
            Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
            results.Add((new JsonWebToken(tokens.GetProperty("id_token").GetString()), await userInfo.ReadJsonAsync()));
        }

        var (fast, slow) = (results[0], results[1]);
        Assert.Equal(slow.IdToken.Alg, fast.IdToken.Alg);
        Assert.Equal(slow.IdToken.Typ, fast.IdToken.Typ);
        Assert.False(string.IsNullOrEmpty(fast.IdToken.Kid));

        // Everything but the per-token values: times (two servers, two clocks) and at_hash (another access token).
        string[] perToken = ["iat", "nbf", "exp", "at_hash", "auth_time", "updated_at"];
        Assert.Equal(Claims(slow.IdToken, perToken), Claims(fast.IdToken, perToken));
        Assert.Equal(Claims(slow.UserInfo, perToken), Claims(fast.UserInfo, perToken));
        Assert.Contains("\"at_hash\"", Base64UrlEncoder.Decode(fast.IdToken.EncodedPayload), StringComparison.Ordinal);
        Assert.Equal("fast@example.com", fast.UserInfo.GetProperty("email").GetString());
    }

    private static string Claims(JsonWebToken token, string[] excluded)
    {
        using var document = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        return Claims(document.RootElement, excluded);
    }

    /// <summary>The members as sorted "name=json" lines, so a difference reads as one line.</summary>
    private static string Claims(JsonElement json, string[] excluded)
        => string.Join("\n", json.EnumerateObject().Where(property => !excluded.Contains(property.Name))
            .Select(property => property.Name + "=" + property.Value.GetRawText()).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_VerifierWithoutChallenge_IsInvalidRequestOnBothPaths(bool fastPath)
    {
        using var factory = CreateFactory(new LogCapture(), fastPath);
        using var client = factory.CreateProtocolClient();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));

        using var response = await client.RedeemCodeAsync(authorization.Code!, codeVerifier: Pkce.Create().Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_WrongVerifier_IsRefusedAndLeavesTheCodeToItsRightfulClient(bool fastPath)
    {
        using var factory = CreateFactory(new LogCapture(), fastPath);
        using var client = factory.CreateProtocolClient();
        var pkce = Pkce.Create();
        var code = (await client.AuthorizeAsync(RequestWithPkce(factory, pkce))).Code!;

        using var wrong = await client.RedeemCodeAsync(code, codeVerifier: Pkce.Create().Verifier);
        using var right = await client.RedeemCodeAsync(code, codeVerifier: pkce.Verifier);

        Assert.Equal("invalid_grant", (await wrong.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_WrongSecret_Is401WithABasicChallenge_AndOnTheFastPathOpenIddictNeverSeesIt(bool fastPath)
    {
        var capture = new LogCapture();
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Oidc:FastPath"] = fastPath ? "true" : "false";
            settings["Logging:LogLevel:Corbado"] = "Debug";
            settings["Logging:LogLevel:OpenIddict"] = "Information";
        })
        {
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(capture),
        };
        using var client = factory.CreateProtocolClient();
        var code = (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()))).Code!;
        var before = capture.Lines.Count;

        using var response = await client.RedeemCodeAsync(code, clientSecret: "not-the-secret-0123456789abcdefghij");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Contains(response.Headers.WwwAuthenticate, header => header.Scheme == "Basic");

        // One secret check: either the fast path answered (event 2008) and OpenIddict never handled the request, or
        // OpenIddict did it all.
        var lines = capture.Lines.Skip(before).ToList();
        var openIddictHandledToken = lines.Any(line => line.Contains(" OpenIddict.", StringComparison.Ordinal) && line.Contains("Token", StringComparison.Ordinal));
        Assert.Equal(fastPath, lines.Any(line => line.Contains("[2008]", StringComparison.Ordinal)));
        Assert.Equal(!fastPath, openIddictHandledToken);
    }

    [Fact]
    public async Task Login_Hs256RequestObject_IsAnsweredOnTheFastPathAtBothEndpoints()
    {
        var capture = new LogCapture();
        using var factory = CreateFactory(capture);
        using var client = factory.CreateProtocolClient();
        var claims = RequestObjects.Claims(OktaClientId, factory.Issuer, OktaRedirectUri, factory.Minter.Mint(webAuthnId: Subject));

        var authorization = await client.AuthorizeWithObjectAsync(OktaClientId, RequestObjects.Sign(claims, RequestObjects.WithSecret(OktaSecret)));
        using var response = await client.RedeemCodeAsync(authorization.Code!, OktaClientId, OktaSecret, OktaRedirectUri);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("state-from-object", authorization.Get("state"));
        var idToken = new JsonWebToken((await response.ReadJsonAsync()).GetProperty("id_token").GetString());
        Assert.Equal("nonce-from-object", idToken.GetPayloadValue<string>("nonce"));
        Assert.Equal(1, FastPathLines(capture, "/authorize"));
        Assert.Equal(1, FastPathLines(capture, "/token"));
    }

    [Theory]
    [InlineData("signed with another secret", false)]
    [InlineData("signed with the client's key pair", true)]
    [InlineData("with a number-valued max_age", true)]
    [InlineData("with a request parameter inside", false)]
    public async Task Authorize_RequestObjectBeyondTheFastPath_IsAnsweredByOpenIddictAlone(string variant, bool issuesCode)
    {
        var capture = new LogCapture();
        using var oktaKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(capture, oktaClientKey: variant.Contains("key pair", StringComparison.Ordinal) ? oktaKey : null);
        using var client = factory.CreateProtocolClient();
        var claims = RequestObjects.Claims(OktaClientId, factory.Issuer, OktaRedirectUri, factory.Minter.Mint());
        var credentials = RequestObjects.WithSecret(OktaSecret);
        switch (variant)
        {
            case "signed with another secret":
                credentials = RequestObjects.WithSecret("not-the-secret-0123456789abcdefghijk");
                break;
            case "signed with the client's key pair":
                credentials = new SigningCredentials(new RsaSecurityKey(oktaKey.Rsa!) { KeyId = oktaKey.KeyId }, SecurityAlgorithms.RsaSha256);
                break;
            case "with a number-valued max_age":
                claims["max_age"] = 300;
                break;
            default:
                claims["request"] = "eyJhbGciOiJub25lIn0.e30.";
                break;
        }

        var response = await client.AuthorizeWithObjectAsync(OktaClientId, RequestObjects.Sign(claims, credentials));

        Assert.Equal(0, FastPathLines(capture, "/authorize"));
        Assert.True(issuesCode == response.Code is not null, response.Body);
        Assert.Equal(issuesCode ? HttpStatusCode.Redirect : HttpStatusCode.BadRequest, response.StatusCode);
    }
}
