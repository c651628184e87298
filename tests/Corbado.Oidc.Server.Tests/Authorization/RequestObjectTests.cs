using System.Net;
using System.Text;
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

    private static Dictionary<string, object> Claims(string clientId, Uri issuer, string hint) => new()
    {
        ["iss"] = clientId,
        ["aud"] = issuer.AbsoluteUri,
        ["client_id"] = clientId,
        ["response_type"] = "code",
        ["redirect_uri"] = RedirectUri,
        ["scope"] = "openid email",
        ["state"] = "state-from-object",
        ["nonce"] = "nonce-from-object",
        ["login_hint"] = hint,
    };

    private static string Sign(Dictionary<string, object> claims, SigningCredentials credentials)
        => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = credentials,
        });

    private static Task<AuthorizationResponse> AuthorizeWithObjectAsync(HttpClient client, string clientId, string requestObject)
        => client.AuthorizeAsync(new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["request"] = requestObject,
        });

    [Fact]
    public async Task Authorize_Rs256RequestObjectWithRegisteredKey_UsesItsParametersAndIssuesCode()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = Sign(Claims(KeyClientId, factory.Issuer, factory.Minter.Mint()),
            new SigningCredentials(new RsaSecurityKey(clientKey.Rsa!) { KeyId = clientKey.KeyId }, SecurityAlgorithms.RsaSha256));

        var response = await AuthorizeWithObjectAsync(client, KeyClientId, requestObject);

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
        var requestObject = Sign(Claims(SecretClientId, factory.Issuer, factory.Minter.Mint()),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256));

        var response = await AuthorizeWithObjectAsync(client, SecretClientId, requestObject);

        Assert.NotNull(response.Code);
    }

    [Fact]
    public async Task Authorize_Hs256RequestObjectFromClientNotOptedIn_IsRefusedWithoutRedirect()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey, allowHs256: false);
        using var client = factory.CreateProtocolClient();
        var requestObject = Sign(Claims(SecretClientId, factory.Issuer, factory.Minter.Mint()),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256));

        var response = await AuthorizeWithObjectAsync(client, SecretClientId, requestObject);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.RedirectTarget);
        Assert.Contains("invalid_request_object", response.Body);
    }

    [Fact]
    public async Task Authorize_UnsignedRequestObject_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var payload = System.Text.Json.JsonSerializer.Serialize(Claims(KeyClientId, factory.Issuer, factory.Minter.Mint()));
        var requestObject = HintMinter.Unsigned("""{"alg":"none"}""", payload);

        var response = await AuthorizeWithObjectAsync(client, KeyClientId, requestObject);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Code);
        Assert.Contains("invalid_request_object", response.Body);
    }

    [Fact]
    public async Task Authorize_RequestObjectSignedWithOtherKey_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var attackerKey = TestSigningKey.CreateRsa(clientKey.KeyId);
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var requestObject = Sign(Claims(KeyClientId, factory.Issuer, factory.Minter.Mint()),
            new SigningCredentials(new RsaSecurityKey(attackerKey.Rsa!) { KeyId = attackerKey.KeyId }, SecurityAlgorithms.RsaSha256));

        var response = await AuthorizeWithObjectAsync(client, KeyClientId, requestObject);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Code);
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
