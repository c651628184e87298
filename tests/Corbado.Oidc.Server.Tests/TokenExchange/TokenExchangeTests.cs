using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Corbado.Oidc.Server.Tests.TokenExchange;

/// <summary>
/// docs/native-apps.md: a signedPasskeyData exchanged at /token (RFC 8693) by a client allowed the grant, under the same
/// verification and single-use record as /authorize.
/// One server for the class: each test mints its own hint and reads only its own answers.
/// </summary>
public sealed class TokenExchangeTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string SubjectTokenType = "urn:corbado:params:oauth:token-type:signed_passkey_data";
    private const string AppId = "native-bff";
    private const string AppSecret = "native-bff-secret-0123456789abcdefghij";

    private readonly CorbadoOidcServerFactory _factory = servers.Get("token-exchange", settings =>
    {
        settings["Clients:2:ClientId"] = AppId;
        settings["Clients:2:ClientSecret"] = AppSecret;
        settings["Clients:2:AllowTokenExchange"] = "true";
        settings["Clients:2:Audiences:0"] = "orders-api";
        settings["Clients:2:Resources:0"] = "https://files.example.com/";
    });

    private async Task<(HttpResponseMessage Response, JsonElement Json)> ExchangeAsync(string? hint, string scope = "openid profile email",
        string subjectTokenType = SubjectTokenType, string? clientId = AppId, string? secret = AppSecret, IDictionary<string, string>? extra = null)
    {
        using var client = _factory.CreateProtocolClient();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = GrantType,
            ["subject_token_type"] = subjectTokenType,
            ["scope"] = scope,
        };
        if (hint is not null)
        {
            form["subject_token"] = hint;
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            form[name] = value;
        }

        var response = await client.PostWithBasicAsync("token", new FormUrlEncodedContent(form), clientId, secret);
        return (response, await response.ReadJsonAsync());
    }

    private static void AssertRefused(HttpResponseMessage response, JsonElement json, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
        Assert.False(json.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Exchange_ValidHint_AnswersAccessAndIdTokenLikeTheBrowserFlow()
    {
        var (response, json) = await ExchangeAsync(_factory.Minter.Mint());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", json.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("openid profile email", json.GetProperty("scope").GetString());

        using var client = _factory.CreateProtocolClient();
        var jwks = new JsonWebKeySet(await client.GetStringAsync(".well-known/jwks"));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(json.GetProperty("id_token").GetString(), new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = _factory.Issuer.AbsoluteUri,
            ValidAudience = AppId,
            LifetimeValidator = (_, _, _, _) => true,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var idToken = (JsonWebToken)validation.SecurityToken;
        Assert.Equal("c364a852-0071-70a4-0fe8-ed5728aa9522", idToken.Subject);
        Assert.Equal(_factory.Clock.GetUtcNow().ToUnixTimeSeconds(), idToken.GetPayloadValue<long>("auth_time"));
        Assert.Contains("pop", idToken.GetPayloadValue<string[]>("amr"));

        using var userInfo = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.GetProperty("access_token").GetString());
        using var userInfoResponse = await client.SendAsync(userInfo);
        Assert.Equal(HttpStatusCode.OK, userInfoResponse.StatusCode);
        Assert.Equal(idToken.Subject, (await userInfoResponse.ReadJsonAsync()).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Exchange_WithoutOpenIdScope_AnswersAnAccessTokenOnly()
    {
        var (response, json) = await ExchangeAsync(_factory.Minter.Mint(), scope: "profile");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.TryGetProperty("access_token", out _));
        Assert.False(json.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Exchange_ReplayedHint_IsInvalidGrant()
    {
        var hint = _factory.Minter.Mint();
        var (first, _) = await ExchangeAsync(hint);

        var (second, json) = await ExchangeAsync(hint);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        AssertRefused(second, json, HttpStatusCode.BadRequest, "invalid_grant");
    }

    public static TheoryData<string> RefusedHints => ["expired", "foreign issuer", "alg none", "bad signature"];

    [Theory]
    [MemberData(nameof(RefusedHints))]
    public async Task Exchange_RefusedHint_IsInvalidGrant(string kind)
    {
        var now = _factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        var hint = kind switch
        {
            "expired" => _factory.Minter.Mint(p => { p["iat"] = now - 3600; p["nbf"] = now - 3600; p["exp"] = now - 3300; }),
            "foreign issuer" => _factory.Minter.Mint(p => p["iss"] = "pro-someone-else"),
            "alg none" => HintMinter.Unsigned("{\"alg\":\"none\",\"kid\":\"" + _factory.IssuerKey.KeyId + "\"}", _factory.Minter.DefaultPayload().ToJsonString()),
            _ => _factory.Minter.Mint()[..^4] + "AAAA",
        };

        var (response, json) = await ExchangeAsync(hint);

        AssertRefused(response, json, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Exchange_HintAlreadyUsedAtAuthorize_IsInvalidGrant()
    {
        var hint = _factory.Minter.Mint();
        using var client = _factory.CreateProtocolClient();
        Assert.NotNull((await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint))).Code);

        var (response, json) = await ExchangeAsync(hint);

        AssertRefused(response, json, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Authorize_HintAlreadyExchanged_IsAccessDenied()
    {
        var hint = _factory.Minter.Mint();
        var (exchanged, _) = await ExchangeAsync(hint);
        using var client = _factory.CreateProtocolClient();

        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));

        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        Assert.Equal("access_denied", authorization.Error);
    }

    [Theory]
    [InlineData("urn:ietf:params:oauth:token-type:access_token")]
    [InlineData("urn:ietf:params:oauth:token-type:id_token")]
    [InlineData("urn:ietf:params:oauth:token-type:jwt")]
    public async Task Exchange_OtherSubjectTokenType_IsInvalidRequestAndConsumesNothing(string type)
    {
        var hint = _factory.Minter.Mint();

        var (response, json) = await ExchangeAsync(hint, subjectTokenType: type);

        AssertRefused(response, json, HttpStatusCode.BadRequest, "invalid_request");
        var (again, _) = await ExchangeAsync(hint);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Exchange_ClientNotAllowedTheGrant_IsUnauthorizedClient()
    {
        var (response, json) = await ExchangeAsync(_factory.Minter.Mint(),
            clientId: CorbadoOidcServerFactory.ConfidentialClientId, secret: CorbadoOidcServerFactory.ConfidentialClientSecret);

        AssertRefused(response, json, HttpStatusCode.BadRequest, "unauthorized_client");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-secret")]
    public async Task Exchange_WithoutValidClientAuthentication_IsInvalidClient(string? secret)
    {
        var hint = _factory.Minter.Mint();

        var (response, json) = await ExchangeAsync(hint, clientId: secret is null ? null : AppId, secret: secret);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.Contains(json.GetProperty("error").GetString(), new[] { "invalid_client", "invalid_request" });
        Assert.False(json.TryGetProperty("access_token", out _));
        var (again, _) = await ExchangeAsync(hint);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Discovery_ListsTheTokenExchangeGrant()
    {
        using var client = _factory.CreateProtocolClient();
        var discovery = JsonDocument.Parse(await client.GetStringAsync(".well-known/openid-configuration")).RootElement;

        Assert.Contains(GrantType, discovery.GetProperty("grant_types_supported").EnumerateArray().Select(value => value.GetString()));
    }

    [Fact]
    public async Task Exchange_PermittedAudienceAndResource_AreTheAccessTokensAudience()
    {
        var (response, json) = await ExchangeAsync(_factory.Minter.Mint(),
            extra: new Dictionary<string, string> { ["audience"] = "orders-api", ["resource"] = "https://files.example.com/" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = _factory.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        var accessToken = await server.JsonWebTokenHandler.ValidateTokenAsync(json.GetProperty("access_token").GetString(), new TokenValidationParameters
        {
            IssuerSigningKeys = server.SigningCredentials.Select(credentials => credentials.Key),
            TokenDecryptionKeys = server.EncryptionCredentials.Select(credentials => credentials.Key),
            ValidIssuer = _factory.Issuer.AbsoluteUri,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        Assert.True(accessToken.IsValid, accessToken.Exception?.Message);
        Assert.Equal(["https://files.example.com/", "orders-api"], ((JsonWebToken)accessToken.SecurityToken).Audiences.Order());
    }

    [Theory]
    [InlineData("audience", "billing-api")]
    [InlineData("resource", "https://other.example.com/")]
    public async Task Exchange_AudienceOrResourceNotPermittedToTheClient_IsRefusedAndConsumesNothing(string parameter, string value)
    {
        var hint = _factory.Minter.Mint();

        var (response, json) = await ExchangeAsync(hint, extra: new Dictionary<string, string> { [parameter] = value });

        AssertRefused(response, json, HttpStatusCode.BadRequest, "invalid_request");
        var (again, _) = await ExchangeAsync(hint);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
