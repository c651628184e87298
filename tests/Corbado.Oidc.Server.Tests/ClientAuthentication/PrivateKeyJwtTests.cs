using System.Net;
using System.Security.Cryptography;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.ClientAuthentication;

/// <summary>RFC 7523 client authentication with a key the client registered (Okta's and Auth0's "private key" option).</summary>
public sealed class PrivateKeyJwtTests
{
    private const string ClientId = "rp-keys";
    private const string RedirectUri = "https://keys.example.com/callback";

    private static CorbadoOidcServerFactory CreateFactory(TestSigningKey clientKey, bool strict = false) => new(settings =>
    {
        settings["Oidc:StrictClientAssertions"] = strict ? "true" : "false";
        settings["Clients:2:ClientId"] = ClientId;
        settings["Clients:2:RedirectUris:0"] = RedirectUri;
        settings["Clients:2:Jwks"] = TestSigningKey.ToJwksJson(clientKey);
    });

    /// <summary>A <c>private_key_jwt</c> client assertion of <paramref name="clientId"/> (RFC 7523 §3), signed with <paramref name="key"/>.</summary>
    internal static string CreateAssertion(TestSigningKey key, Uri issuer, string? audience = null, DateTime? expires = null, string? type = "JWT",
        string clientId = ClientId)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience ?? new Uri(issuer, "token").AbsoluteUri,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now,
            NotBefore = now,
            Expires = expires ?? now.AddMinutes(2),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key.Rsa!) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSha256),
            TokenType = type,
        });
    }

    /// <summary>Redeems <paramref name="code"/> at <c>/token</c>, the client authenticated by <paramref name="assertion"/>.</summary>
    internal static async Task<HttpResponseMessage> RedeemWithAssertionAsync(HttpClient client, string code, string assertion,
        string clientId = ClientId, string redirectUri = RedirectUri)
        => await client.PostAsync("token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = clientId,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        }));

    private static async Task<string> GetCodeAsync(CorbadoOidcServerFactory factory, HttpClient client)
        => (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), ClientId, RedirectUri))).Code!;

    [Theory]
    [InlineData("JWT", "token")]
    [InlineData("client-authentication+jwt", "token")]
    [InlineData(null, "token")]
    [InlineData("JWT", "")]
    [InlineData("client-authentication+jwt", "")]
    public async Task Token_ValidClientAssertion_IssuesTokens(string? type, string audiencePath)
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var code = await GetCodeAsync(factory, client);

        using var response = await RedeemWithAssertionAsync(client, code, CreateAssertion(clientKey, factory.Issuer, audience: new Uri(factory.Issuer, audiencePath).AbsoluteUri, type: type));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Token_AssertionSignedByOtherKey_IsRefusedAsInvalidClient()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var attackerKey = TestSigningKey.CreateRsa(clientKey.KeyId);
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var code = await GetCodeAsync(factory, client);

        using var response = await RedeemWithAssertionAsync(client, code, CreateAssertion(attackerKey, factory.Issuer));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_AssertionForOtherAudience_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey);
        using var client = factory.CreateProtocolClient();
        var code = await GetCodeAsync(factory, client);

        using var response = await RedeemWithAssertionAsync(client, code, CreateAssertion(clientKey, factory.Issuer, audience: "https://other.example.com/token"));

        // OpenIddict reports an assertion audience mismatch through its generic token validation as invalid_grant (400)
        // rather than invalid_client (401); either way no token is issued.
        var body = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(body.GetProperty("error").GetString(), new[] { "invalid_client", "invalid_grant" });
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task Token_StrictModeWithClassicAssertion_IsRefused()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        using var factory = CreateFactory(clientKey, strict: true);
        using var client = factory.CreateProtocolClient();
        var code = await GetCodeAsync(factory, client);

        using var response = await RedeemWithAssertionAsync(client, code, CreateAssertion(clientKey, factory.Issuer, type: "JWT"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Discovery_ListsPrivateKeyJwt()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync(".well-known/openid-configuration");
        var methods = (await response.ReadJsonAsync()).GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(m => m.GetString()).ToList();

        Assert.Contains("private_key_jwt", methods);
        Assert.Contains("client_secret_basic", methods);
        Assert.Contains("client_secret_post", methods);
    }
}
