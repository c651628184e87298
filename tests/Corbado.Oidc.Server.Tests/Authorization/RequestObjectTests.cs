using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.Authorization;

/// <summary>OIDC Core §6.1 request objects, as Okta sends with its "request signature scope" on.</summary>
public sealed class RequestObjectTests
{
    private const string KeyClientId = "okta-keys";
    private const string SecretClientId = "okta-secret";
    private const string Secret = "okta-secret-0123456789abcdefghijklmnop";
    private const string RedirectUri = "https://example.okta.com/oauth2/v1/authorize/callback";

    private static CorbadoOidcServerFactory CreateFactory(TestSigningKey clientKey, bool allowHs256 = true) => new(settings =>
    {
        settings["Clients:2:ClientId"] = KeyClientId;
        settings["Clients:2:RedirectUris:0"] = RedirectUri;
        settings["Clients:2:Jwks"] = TestSigningKey.ToJwksJson(clientKey);
        settings["Clients:3:ClientId"] = SecretClientId;
        settings["Clients:3:ClientSecret"] = Secret;
        settings["Clients:3:RedirectUris:0"] = RedirectUri;
        settings["Clients:3:AllowSymmetricRequestObjects"] = allowHs256 ? "true" : "false";
    });

    private static Dictionary<string, object> Claims(string clientId, Uri issuer, string hint) => RequestObjects.Claims(clientId, issuer, RedirectUri, hint);

    /// <summary>OIDC Core §6.1: an unacceptable object is an invalid_request_object shown to the user, never redirected with a code.</summary>
    private static void AssertRefused(AuthorizationResponse response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.RedirectTarget);
        Assert.Null(response.Code);
        Assert.Contains("invalid_request_object", response.Body);
    }

    [Fact]
    public async Task Authorize_Rs256RequestObjectWithRegisteredKey_UsesItsParametersAndIssuesCode()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = RequestObjects.Sign(Claims(KeyClientId, factory.Issuer, factory.Minter.Mint()),
            new SigningCredentials(new RsaSecurityKey(clientKey.Rsa!) { KeyId = clientKey.KeyId }, SecurityAlgorithms.RsaSha256));

        var response = await client.AuthorizeWithObjectAsync(KeyClientId, requestObject);

        Assert.True(HttpStatusCode.Redirect == response.StatusCode, response.Body);
        Assert.Equal(RedirectUri, response.RedirectTarget!.GetLeftPart(UriPartial.Path));
        Assert.NotNull(response.Code);
        Assert.Equal("state-from-object", response.Get("state"));
    }

    [Fact]
    public async Task Authorize_Hs256RequestObjectFromOptedInClient_IssuesCode()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = RequestObjects.Sign(Claims(SecretClientId, factory.Issuer, factory.Minter.Mint()),
            RequestObjects.WithSecret(Secret));

        var response = await client.AuthorizeWithObjectAsync(SecretClientId, requestObject);

        Assert.NotNull(response.Code);
    }

    [Fact]
    public async Task Authorize_Hs256RequestObjectFromClientNotOptedIn_IsRefusedWithoutRedirect()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey, allowHs256: false);
        using var client = factory.CreateProtocolClient();
        var requestObject = RequestObjects.Sign(Claims(SecretClientId, factory.Issuer, factory.Minter.Mint()),
            RequestObjects.WithSecret(Secret));

        var response = await client.AuthorizeWithObjectAsync(SecretClientId, requestObject);

        AssertRefused(response);
    }

    [Fact]
    public async Task Authorize_UnsignedRequestObject_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var payload = System.Text.Json.JsonSerializer.Serialize(Claims(KeyClientId, factory.Issuer, factory.Minter.Mint()));
        var requestObject = HintMinter.Unsigned("""{"alg":"none"}""", payload);

        var response = await client.AuthorizeWithObjectAsync(KeyClientId, requestObject);

        AssertRefused(response);
    }

    [Fact]
    public async Task Authorize_RequestObjectSignedWithOtherKey_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var attackerKey = TestSigningKey.CreateRsa(clientKey.KeyId);
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = RequestObjects.Sign(Claims(KeyClientId, factory.Issuer, factory.Minter.Mint()),
            new SigningCredentials(new RsaSecurityKey(attackerKey.Rsa!) { KeyId = attackerKey.KeyId }, SecurityAlgorithms.RsaSha256));

        var response = await client.AuthorizeWithObjectAsync(KeyClientId, requestObject);

        AssertRefused(response);
    }

    [Fact]
    public async Task Login_Hs256RequestObject_RedeemsToAnIdTokenCarryingTheObjectsNonce()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = RequestObjects.Sign(Claims(SecretClientId, factory.Issuer, factory.Minter.Mint()), RequestObjects.WithSecret(Secret));

        var authorization = await client.AuthorizeWithObjectAsync(SecretClientId, requestObject);
        Assert.Equal("state-from-object", authorization.Get("state"));
        using var response = await client.RedeemCodeAsync(authorization.Code!, SecretClientId, Secret, RedirectUri);
        var tokens = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal("nonce-from-object", idToken.GetPayloadValue<string>("nonce"));
        Assert.Equal(SecretClientId, idToken.GetPayloadValue<string>("azp"));
        Assert.Equal("openid email", tokens.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Authorize_Hs256RequestObjectSignedWithAnotherSecret_IsRefusedAndLeavesTheHintUsable()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var claims = Claims(SecretClientId, factory.Issuer, factory.Minter.Mint());

        var refused = await client.AuthorizeWithObjectAsync(SecretClientId, RequestObjects.Sign(claims, RequestObjects.WithSecret("not-the-secret-0123456789abcdefghijk")));
        var accepted = await client.AuthorizeWithObjectAsync(SecretClientId, RequestObjects.Sign(claims, RequestObjects.WithSecret(Secret)));

        AssertRefused(refused);
        Assert.NotNull(accepted.Code);
    }

    [Fact]
    public async Task Authorize_ExpiredRequestObject_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = RequestObjects.Sign(Claims(SecretClientId, factory.Issuer, factory.Minter.Mint()), RequestObjects.WithSecret(Secret), expires: DateTime.UtcNow.AddMinutes(-3));

        var response = await client.AuthorizeWithObjectAsync(SecretClientId, requestObject);

        AssertRefused(response);
    }

    [Theory]
    [InlineData("client_id")]
    [InlineData("aud")]
    [InlineData("iss")]
    public async Task Authorize_RequestObjectNamingAnotherPartyIn_IsRefused(string claim)
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var claims = Claims(SecretClientId, factory.Issuer, factory.Minter.Mint());
        claims[claim] = claim == "aud" ? "https://other-issuer.example/" : KeyClientId;

        var response = await client.AuthorizeWithObjectAsync(SecretClientId, RequestObjects.Sign(claims, RequestObjects.WithSecret(Secret)));

        AssertRefused(response);
    }

    [Fact]
    public async Task Authorize_RequestObjectWithNonStringAndExtraParameters_IsStillHonoured()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var claims = Claims(SecretClientId, factory.Issuer, factory.Minter.Mint());
        claims["max_age"] = 300;
        claims["ui_locales"] = "de";

        var response = await client.AuthorizeWithObjectAsync(SecretClientId, RequestObjects.Sign(claims, RequestObjects.WithSecret(Secret)));

        Assert.True(response.Code is not null, response.Body);
        Assert.Equal("state-from-object", response.Get("state"));
    }

    [Fact]
    public async Task Discovery_AdvertisesRequestObjects()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync(".well-known/openid-configuration");
        var document = await response.ReadJsonAsync();

        Assert.True(document.GetProperty("request_parameter_supported").GetBoolean());
        Assert.Contains("RS256", document.GetProperty("request_object_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
    }
}
