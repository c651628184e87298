using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace Corbado.Oidc.Server.Tests.Hostile;

/// <summary>
/// Requests found by a fuzz outside the team: each is a spec-conformant 4xx on both doors (fast path on and off), never
/// a 500, and never tokens. One server per door for the class: each test issues its own code and reads only its own
/// answers.
/// </summary>
public sealed class HostileTokenRequestTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private CorbadoOidcServerFactory Server(bool fastPath)
        => servers.Get(fastPath ? "fast-path" : "openiddict", settings => settings["Oidc:FastPath"] = fastPath ? "true" : "false");

    private static async Task<string> IssueCodeAsync(CorbadoOidcServerFactory factory, HttpClient client)
        => (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()))).Code
            ?? throw new InvalidOperationException("No code was issued.");

    private static HttpRequestMessage TokenRequest(string code, string? basicSecret, IDictionary<string, string>? extra = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = CorbadoOidcServerFactory.ConfidentialRedirectUri,
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            form[name] = value;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new FormUrlEncodedContent(form) };
        if (basicSecret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(CorbadoOidcServerFactory.ConfidentialClientId + ":" + basicSecret)));
        }

        return request;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_BasicAuthenticatesOneClientAndBodyNamesAnother_IsRefusedWithInvalidRequest(bool fastPath)
    {
        var factory = Server(fastPath);
        using var client = factory.CreateProtocolClient();
        var code = await IssueCodeAsync(factory, client);
        using var request = TokenRequest(code, CorbadoOidcServerFactory.ConfidentialClientSecret,
            new Dictionary<string, string> { ["client_id"] = CorbadoOidcServerFactory.PublicClientId });

        using var response = await client.SendAsync(request);
        var json = await response.ReadJsonAsync();

        // RFC 6749 §2.3: one client, by one method.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
        // The code was not spent: its own client still redeems it.
        using var redeemed = await client.RedeemCodeAsync(code);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
    }

    [Theory]
    [InlineData(true, "application/x-www-form-urlencoded, text/html")]
    [InlineData(false, "application/x-www-form-urlencoded, text/html")]
    [InlineData(true, "application/x-www-form-urlencoded; charset=utf-8, application/json")]
    [InlineData(false, "text/html, application/x-www-form-urlencoded")]
    public async Task Token_ContentTypeListingSeveralMediaTypes_Answers400InvalidRequest(bool fastPath, string contentType)
    {
        var factory = Server(fastPath);
        using var client = factory.CreateProtocolClient();
        var code = await IssueCodeAsync(factory, client);
        using var request = TokenRequest(code, CorbadoOidcServerFactory.ConfidentialClientSecret);
        request.Content!.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.SendAsync(request);
        var json = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_BasicCredentialsWithEmptySecret_Answers401InvalidClientWithBasicChallenge(bool fastPath)
    {
        var factory = Server(fastPath);
        using var client = factory.CreateProtocolClient();
        var code = await IssueCodeAsync(factory, client);
        using var request = TokenRequest(code, basicSecret: "");

        using var response = await client.SendAsync(request);
        var json = await response.ReadJsonAsync();

        // RFC 6749 §5.2: invalid_client, 401 with a challenge for the scheme the client used.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.Contains(response.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Basic");
    }

    [Theory]
    [InlineData(true, "code code")]
    [InlineData(false, "code code")]
    [InlineData(true, "code  code")]
    [InlineData(false, "code id_token code")]
    public async Task Authorize_ResponseTypeRepeatingCode_IsRefusedWithoutCodeOrServerError(bool fastPath, string responseType)
    {
        var factory = Server(fastPath);
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["response_type"] = responseType;

        var response = await client.AuthorizeAsync(request);

        // Answered locally when no response mode can be inferred for the value, else at the redirect URI.
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Found, response.StatusCode.ToString());
        Assert.Null(response.Code);
        Assert.Equal("invalid_request", response.Error ?? (response.Body.Contains("invalid_request", StringComparison.Ordinal) ? "invalid_request" : null));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_CodeVerifierRepeatedForACodeWithoutChallenge_IsRefusedWithInvalidRequest(bool fastPath)
    {
        var factory = Server(fastPath);
        using var client = factory.CreateProtocolClient();
        var code = await IssueCodeAsync(factory, client);
        var verifier = Pkce.Create().Verifier;
        using var request = new HttpRequestMessage(HttpMethod.Post, "token")
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", CorbadoOidcServerFactory.ConfidentialRedirectUri),
                new("code_verifier", verifier), new("code_verifier", verifier),
            ]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(CorbadoOidcServerFactory.ConfidentialClientId + ":" + CorbadoOidcServerFactory.ConfidentialClientSecret)));

        using var response = await client.SendAsync(request);
        var json = await response.ReadJsonAsync();

        // RFC 6749 §3.2: a repeated parameter is refused, not read as absent (which would match a code without a challenge).
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
        Assert.Equal("The 'code_verifier' parameter must not be repeated.", json.GetProperty("error_description").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
    }

    [Theory]
    [InlineData("POST", "revoke", "token")]
    [InlineData("GET", "userinfo", "access_token")]
    [InlineData("GET", ".well-known/openid-configuration", "x")]
    [InlineData("GET", ".well-known/jwks", "x")]
    public async Task AnyEndpoint_RepeatedParameter_IsRefusedWithInvalidRequest(string method, string path, string parameter)
    {
        var factory = Server(fastPath: true);
        using var client = factory.CreateProtocolClient();
        using var request = method == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, $"{path}?{parameter}=a&{parameter}=b")
            : new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([new(parameter, "a"), new(parameter, "b")]) };
        request.Headers.Authorization = method == "POST"
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
                CorbadoOidcServerFactory.ConfidentialClientId + ":" + CorbadoOidcServerFactory.ConfidentialClientSecret)))
            : null;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // /userinfo answers in the WWW-Authenticate header (RFC 6750 §3), the others in the body.
        Assert.Contains($"The '{parameter}' parameter must not be repeated.",
            await response.Content.ReadAsStringAsync() + response.Headers.WwwAuthenticate);
    }
}
