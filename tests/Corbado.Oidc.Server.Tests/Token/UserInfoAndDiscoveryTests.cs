using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Token;

/// <summary>
/// OIDC Core §5.3 (userinfo) and OIDC Discovery §3: what a relying party reads besides the token response. One server for
/// the class, where each test logs in with its own hint; the test that moves the clock keeps its own.
/// </summary>
public sealed class UserInfoAndDiscoveryTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private static async Task<string> LoginAsync(CorbadoOidcServerFactory factory, HttpClient client)
    {
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), scope: "openid"));
        using var response = await client.RedeemCodeAsync(authorization.Code!);
        return (await response.ReadJsonAsync()).GetProperty("access_token").GetString()!;
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task UserInfo_BearerAccessToken_ReturnsSubject(string method)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var accessToken = await LoginAsync(factory, client);
        using var request = new HttpRequestMessage(new HttpMethod(method), "userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (method == "POST")
        {
            request.Content = new FormUrlEncodedContent([]);
        }

        using var response = await client.SendAsync(request);
        var claims = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("c364a852-0071-70a4-0fe8-ed5728aa9522", claims.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task UserInfo_AccessTokenInFormBody_ReturnsSubject()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var accessToken = await LoginAsync(factory, client);

        // RFC 6750 §2.2: the form-encoded body parameter.
        using var response = await client.PostAsync("userinfo", new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = accessToken }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task UserInfo_MissingOrInvalidToken_Answers401WithBearerChallenge(string? accessToken)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        using var response = await client.SendAsync(request);

        // RFC 6750 §3: 401 with a Bearer challenge; invalid_token when a token was sent.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        if (accessToken is not null)
        {
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter);
        }
    }

    [Fact]
    public async Task UserInfo_ExpiredAccessToken_Answers401()
    {
        // Its own server: it moves the clock.
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var accessToken = await LoginAsync(factory, client);
        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_DescribesExactlyWhatIsImplemented()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync(".well-known/openid-configuration");
        var document = await response.ReadJsonAsync();
        string[] Values(string name) => document.GetProperty(name).EnumerateArray().Select(v => v.GetString()!).Order().ToArray();
        string Endpoint(string name) => document.GetProperty(name).GetString()!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(factory.Issuer.AbsoluteUri, document.GetProperty("issuer").GetString());
        Assert.Equal(new Uri(factory.Issuer, "authorize").AbsoluteUri, Endpoint("authorization_endpoint"));
        Assert.Equal(new Uri(factory.Issuer, "token").AbsoluteUri, Endpoint("token_endpoint"));
        Assert.Equal(new Uri(factory.Issuer, "userinfo").AbsoluteUri, Endpoint("userinfo_endpoint"));
        Assert.StartsWith(factory.Issuer.AbsoluteUri, Endpoint("jwks_uri"));
        Assert.Equal(["code"], Values("response_types_supported"));
        Assert.Equal(["form_post", "query"], Values("response_modes_supported"));
        Assert.Equal(["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:token-exchange"], Values("grant_types_supported"));
        Assert.Equal(new Uri(factory.Issuer, "revoke").AbsoluteUri, Endpoint("revocation_endpoint"));
        // RFC 7636 §4.2 / OAuth 2.0 Security BCP §2.1.1: plain is not offered.
        Assert.Equal(["S256"], Values("code_challenge_methods_supported"));
        Assert.Equal(["RS256"], Values("id_token_signing_alg_values_supported"));
        Assert.Equal(["public"], Values("subject_types_supported"));
        Assert.Contains("openid", Values("scopes_supported"));
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"], Values("token_endpoint_auth_methods_supported"));
        Assert.True(document.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        if (document.TryGetProperty("claims_parameter_supported", out var claimsParameter))
        {
            Assert.Equal(JsonValueKind.False, claimsParameter.ValueKind);
        }

        // RP-Initiated Logout 1.0 §2.1 (docs/sessions-and-logout.md).
        Assert.Equal(new Uri(factory.Issuer, "endsession").AbsoluteUri, Endpoint("end_session_endpoint"));
        foreach (var absent in new[] { "introspection_endpoint", "device_authorization_endpoint" })
        {
            Assert.False(document.TryGetProperty(absent, out _), absent + " is advertised but not implemented");
        }
    }
}
