using System.Net;
using System.Net.Http.Headers;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.Token;

/// <summary>
/// docs/login-rules.md §4 and RFC 6749 §4.1.3 / §5.2: redeeming an authorization code at <c>/token</c>. One server for
/// the class, where each test redeems its own code and reads only its own answers; a test that moves the clock or needs
/// other clients keeps its own.
/// </summary>
public sealed class TokenEndpointTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string OtherClientId = "rp-other";
    private const string OtherClientSecret = "rp-other-secret-0123456789abcdefghij";
    private const string OtherRedirectUri = "https://other.example.com/callback";

    private static async Task<(string Code, Dictionary<string, string?> Request)> AuthorizeAsync(CorbadoOidcServerFactory factory, HttpClient client, Pkce? pkce = null)
    {
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        if (pkce is not null)
        {
            request["code_challenge"] = pkce.Challenge;
            request["code_challenge_method"] = "S256";
        }

        var response = await client.AuthorizeAsync(request);
        Assert.NotNull(response.Code);
        return (response.Code!, request);
    }

    private static async Task AssertTokenErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.ReadJsonAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));
        Assert.False(body.TryGetProperty("id_token", out _));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    private static async Task<HttpResponseMessage> UserInfoAsync(HttpClient client, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_BasicOrPostClientSecret_IssuesBearerTokens(bool useBasic)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, useBasic: useBasic);
        var tokens = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.True(tokens.GetProperty("expires_in").GetInt32() > 0);
        Assert.NotNull(tokens.GetProperty("id_token").GetString());
        Assert.False(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Token_IdToken_CarriesEveryClaimTheSpecRequires()
    {
        // Its own server: it moves the clock.
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var hintIssuedAt = factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        var (code, request) = await AuthorizeAsync(factory, client);
        factory.Clock.Advance(TimeSpan.FromSeconds(5));

        using var response = await client.RedeemCodeAsync(code);
        var tokens = await response.ReadJsonAsync();
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        var accessToken = tokens.GetProperty("access_token").GetString()!;

        Assert.Equal("RS256", idToken.Alg);
        Assert.Equal(factory.Issuer.AbsoluteUri, idToken.Issuer);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialClientId, Assert.Single(idToken.Audiences));
        Assert.Equal("c364a852-0071-70a4-0fe8-ed5728aa9522", idToken.Subject);
        Assert.Equal("usr-676138078732345317", idToken.GetClaim("passkey_sub").Value);
        Assert.Equal(request["nonce"], idToken.GetClaim("nonce").Value);
        // OIDC Core §2: auth_time is when the user authenticated, i.e. the hint's iat, not when the code was redeemed.
        Assert.Equal(hintIssuedAt, idToken.GetPayloadValue<long>("auth_time"));
        Assert.Equal(factory.Clock.GetUtcNow().ToUnixTimeSeconds(), idToken.GetPayloadValue<long>("iat"));
        Assert.True(idToken.GetPayloadValue<long>("exp") > idToken.GetPayloadValue<long>("iat"));
        Assert.Equal(["pop", "phr"], idToken.GetPayloadValue<string[]>("amr"));
        Assert.Equal("urn:corbado:acr:passkey", idToken.GetClaim("acr").Value);
        // OIDC Core §3.1.3.6: at_hash = left half of SHA-256 of the access token, base64url.
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(accessToken));
        Assert.Equal(Base64UrlEncoder.Encode(hash[..16]), idToken.GetClaim("at_hash").Value);
    }

    [Theory]
    [InlineData("wrong-secret", true)]
    [InlineData("wrong-secret", false)]
    [InlineData("", false)]
    public async Task Token_WrongClientSecret_AnswersInvalidClient(string secret, bool useBasic)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, clientSecret: secret, useBasic: useBasic);

        // RFC 6749 §5.2: invalid_client, 401 (with WWW-Authenticate when the client used the Authorization header).
        await AssertTokenErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        if (useBasic)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, header => header.Scheme == "Basic");
        }

        // The failed attempt did not burn the code: the real client can still redeem it.
        using var retry = await client.RedeemCodeAsync(code);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task Token_VeryLongSecret_AnswersInvalidClient()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, clientSecret: new string('x', 64 * 1024), useBasic: false);

        await AssertTokenErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Token_ConfidentialClientWithoutSecret_AnswersInvalidClient()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, clientSecret: null);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.Equal("invalid_client", (await response.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_CodeRedeemedTwice_RefusesSecondAndRevokesTokensFromFirst()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);
        using var first = await client.RedeemCodeAsync(code);
        var accessToken = (await first.ReadJsonAsync()).GetProperty("access_token").GetString()!;
        using (var before = await UserInfoAsync(client, accessToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var second = await client.RedeemCodeAsync(code);

        await AssertTokenErrorAsync(second, HttpStatusCode.BadRequest, "invalid_grant");
        // RFC 6749 §4.1.2 / OAuth 2.0 Security BCP §4.5: a replayed code revokes what it produced.
        using var after = await UserInfoAsync(client, accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Authorize_Code_IsShortRandomHandleStoredOnlyAsHash()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();

        var (code, _) = await AuthorizeAsync(factory, client);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var database = await File.ReadAllBytesAsync(Path.Combine(factory.Directory, "oidc.db"));
        var wal = Path.Combine(factory.Directory, "oidc.db-wal");
        var written = System.Text.Encoding.ASCII.GetString(database) + (File.Exists(wal) ? System.Text.Encoding.ASCII.GetString(await File.ReadAllBytesAsync(wal)) : "");

        // 256 random bits, base64url: short enough for any RP callback URL, and never stored as such.
        Assert.Matches("^[A-Za-z0-9_-]{43}$", code);
        Assert.DoesNotContain(code, written);
    }

    [Fact]
    public async Task Token_SameCodeRedeemedConcurrently_IssuesTokensExactlyOnce()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.RedeemCodeAsync(code)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Token_CodeIssuedToOtherClient_AnswersInvalidGrant()
    {
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Clients:2:ClientId"] = OtherClientId;
            settings["Clients:2:ClientSecret"] = OtherClientSecret;
            settings["Clients:2:RedirectUris:0"] = OtherRedirectUri;
        });
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, OtherClientId, OtherClientSecret, OtherRedirectUri);

        await AssertTokenErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Theory]
    [InlineData(55, HttpStatusCode.OK)]
    [InlineData(61, HttpStatusCode.BadRequest)]
    public async Task Token_CodeLifetime_IsSixtySeconds(int secondsLater, HttpStatusCode expected)
    {
        // Its own server: it moves the clock.
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);
        factory.Clock.Advance(TimeSpan.FromSeconds(secondsLater));

        using var response = await client.RedeemCodeAsync(code);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            await AssertTokenErrorAsync(response, expected, "invalid_grant");
        }
    }

    [Fact]
    public async Task Token_RedirectUriDifferentFromAuthorizeRequest_AnswersInvalidGrant()
    {
        using var factory = new CorbadoOidcServerFactory(settings => settings["Clients:0:RedirectUris:1"] = "https://rp.example.com/other");
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, redirectUri: "https://rp.example.com/other");

        await AssertTokenErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Token_CorrectPkceVerifier_IssuesTokens()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var pkce = Pkce.Create();
        var (code, _) = await AuthorizeAsync(factory, client, pkce);

        using var response = await client.RedeemCodeAsync(code, codeVerifier: pkce.Verifier);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-verifier-wrong-verifier-wrong-verifier-0123")]
    public async Task Token_PkceVerifierMissingOrWrong_AnswersInvalidGrant(string? verifier)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client, Pkce.Create());

        using var response = await client.RedeemCodeAsync(code, codeVerifier: verifier);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.ReadJsonAsync()).GetProperty("error").GetString(), new[] { "invalid_grant", "invalid_request" });
    }

    [Fact]
    public async Task Token_VerifierWithoutChallenge_AnswersInvalidRequest()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var (code, _) = await AuthorizeAsync(factory, client);

        using var response = await client.RedeemCodeAsync(code, codeVerifier: Pkce.Create().Verifier);

        // RFC 7636 §4.6 and the OAuth 2.0 Security BCP §2.1.1: a verifier for a request that had no challenge is refused.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.ReadJsonAsync()).GetProperty("error").GetString(), new[] { "invalid_grant", "invalid_request" });
    }

    [Theory]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData("client_credentials", "unsupported_grant_type")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code", "unsupported_grant_type")]
    [InlineData("made-up", "unsupported_grant_type")]
    // Served, but only to clients allowed them (docs/native-apps.md).
    [InlineData("refresh_token", "unauthorized_client")]
    [InlineData("urn:ietf:params:oauth:grant-type:token-exchange", "unauthorized_client")]
    public async Task Token_GrantTypeOtherThanAuthorizationCode_IsRefusedForTheLoginClient(string grantType, string error)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();

        using var response = await client.PostAsync("token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_id"] = CorbadoOidcServerFactory.ConfidentialClientId,
            ["client_secret"] = CorbadoOidcServerFactory.ConfidentialClientSecret,
            ["username"] = "alice",
            ["password"] = "secret",
            ["refresh_token"] = "x",
            ["subject_token"] = factory.Minter.Mint(),
            ["subject_token_type"] = "urn:corbado:params:oauth:token-type:signed_passkey_data",
        }));

        await AssertTokenErrorAsync(response, HttpStatusCode.BadRequest, error);
    }

    [Theory]
    [InlineData("application/json", "{\"grant_type\":\"authorization_code\"}")]
    [InlineData("text/plain", "grant_type=authorization_code")]
    [InlineData("application/x-www-form-urlencoded", "%%%&&&===")]
    [InlineData("application/x-www-form-urlencoded", "")]
    public async Task Token_MalformedBody_AnswersInvalidRequest(string contentType, string body)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        using var content = new StringContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await client.PostAsync("token", content);

        await AssertTokenErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Token_GetRequest_IsRefused()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync("token?grant_type=authorization_code&code=x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.ReadJsonAsync()).GetProperty("error").GetString());
    }
}
