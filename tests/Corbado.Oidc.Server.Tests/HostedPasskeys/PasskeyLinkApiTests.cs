using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// docs/hosted-passkeys.md, enrolment and management links from a backend: <c>POST /api/v1/passkey-enrolments</c> and
/// <c>POST /api/v1/passkey-management-links</c> answer a single-use link for a client allowed it, authenticated by HTTP
/// Basic like the verify API; refusals are problem details from the refusal catalogue.
/// </summary>
public sealed class PasskeyLinkApiTests : IDisposable
{
    private const string BackendId = "rp-backend";
    private const string BackendSecret = "rp-backend-secret-0123456789abcdef0123";
    private const string EnrolmentPath = "api/v1/passkey-enrolments";
    private const string ManagementPath = "api/v1/passkey-management-links";

    private readonly LogCapture _logs = new();
    private readonly CorbadoOidcServerFactory _factory;

    public PasskeyLinkApiTests()
    {
        _factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Clients:2:ClientId"] = BackendId;
            settings["Clients:2:ClientSecret"] = BackendSecret;
            settings["Clients:2:AllowPasskeyEnrolment"] = "true";
            HostedPasskeyDriver.AddHostedClient(settings, index: 3);
            settings["RateLimiting:TokenPerClientPerMinute"] = "60";
            settings["Logging:LogLevel:Corbado"] = "Information";
        })
        {
            ConfigureServices = services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs),
        };
    }

    public void Dispose() => _factory.Dispose();

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string clientId = BackendId, string secret = BackendSecret, string contentType = "application/json")
    {
        using var client = _factory.CreateProtocolClient();
        return await client.PostWithBasicAsync(path, new StringContent(body, Encoding.UTF8, contentType), clientId, secret);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.ReadJsonAsync();
        Assert.Equal(reason, json.GetProperty("reason").GetString());
        Assert.False(json.TryGetProperty("url", out _));
    }

    [Fact]
    public async Task Enrolment_AllowedClient_AnswersSingleUseLinkThatEnrolsTheSubject()
    {
        using var response = await PostAsync(EnrolmentPath, """{"sub": "alice", "ttl_seconds": 600}""");
        var json = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var url = new Uri(json.GetProperty("url").GetString()!);
        Assert.StartsWith(new Uri(_factory.Issuer, "passkeys/enrol?token=").AbsoluteUri, url.AbsoluteUri);
        Assert.Equal(_factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 600, json.GetProperty("expires_at").GetInt64());
        Assert.Contains(_logs.Lines, line => line.Contains("Audit passkey.enrolment_link_created: outcome accepted, actor client:rp-backend", StringComparison.Ordinal)
            && !line.Contains("alice", StringComparison.Ordinal));

        using var client = _factory.CreateProtocolClient();
        using var authenticator = new SoftwareAuthenticator("https://localhost", "localhost");
        using var enrolled = await HostedPasskeyDriver.EnrolAsync(client, url, authenticator);
        using var again = await client.GetAsync(url.PathAndQuery.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(authenticator.CredentialIdText, Assert.Single(await _factory.Services.GetRequiredService<PasskeyStore>().ListCredentialsAsync("alice", default)).Id);
    }

    [Fact]
    public async Task Enrolment_WithoutTtl_LinkLivesFifteenMinutes()
    {
        using var response = await PostAsync(EnrolmentPath, """{"sub": "alice"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 900, (await response.ReadJsonAsync()).GetProperty("expires_at").GetInt64());
    }

    [Fact]
    public async Task ManagementLink_AllowedClient_AnswersLinkToTheManagementPage()
    {
        using var response = await PostAsync(ManagementPath, """{"sub": "alice", "ttl_seconds": 300}""");
        var json = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(new Uri(_factory.Issuer, "passkeys/manage?token=").AbsoluteUri, json.GetProperty("url").GetString());
        Assert.Contains(_logs.Lines, line => line.Contains("Audit passkey.management_link_created", StringComparison.Ordinal));
        using var client = _factory.CreateProtocolClient();
        using var page = await client.GetAsync(new Uri(json.GetProperty("url").GetString()!).PathAndQuery.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Theory]
    [InlineData(EnrolmentPath)]
    [InlineData(ManagementPath)]
    public async Task Links_ClientNotAllowed_UnauthorizedClient(string path)
    {
        using var response = await PostAsync(path, """{"sub": "alice"}""", HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedClientSecret);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "unauthorized_client");
    }

    [Theory]
    [InlineData(EnrolmentPath)]
    [InlineData(ManagementPath)]
    public async Task Links_WrongSecret_InvalidClient(string path)
    {
        using var response = await PostAsync(path, """{"sub": "alice"}""", secret: "wrong-secret");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("""{"sub": 42}""")]
    [InlineData("""{"sub": ["alice"]}""")]
    [InlineData("""{"sub": ""}""")]
    [InlineData("""{"sub": "   "}""")]
    [InlineData("""{"ttl_seconds": 900}""")]
    [InlineData("""{"sub": "alice", "ttl_seconds": "900"}""")]
    [InlineData("""{"sub": "alice", "ttl_seconds": 90.5}""")]
    [InlineData("""{"sub": "alice", "ttl_seconds": 0}""")]
    [InlineData("""{"sub": "alice", "ttl_seconds": 604801}""")]
    [InlineData("""{"sub": "alice", "ttl_seconds": null}""")]
    [InlineData("""{"sub": "alice", "admin": true}""")]
    [InlineData("""{"sub": "alice", "sub": "bob"}""")]
    [InlineData("""["alice"]""")]
    [InlineData("""{"sub": "alice""")]
    [InlineData("sub=alice")]
    public async Task Enrolment_MalformedBody_InvalidRequest_NoLink(string body)
    {
        using var response = await PostAsync(EnrolmentPath, body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.DoesNotContain(_logs.Lines, line => line.Contains("enrolment_link_created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enrolment_NotJson_InvalidRequest()
    {
        using var response = await PostAsync(EnrolmentPath, "sub=alice", contentType: "application/x-www-form-urlencoded");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Enrolment_RateLimitedPerClientLikeTheVerifyApi()
    {
        // 60 per minute: a burst of 10 (one more a second), then 429 with Retry-After, in the client's own partition.
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => PostAsync(EnrolmentPath, """{"sub": "alice"}""")));
        using var otherClient = await PostAsync(EnrolmentPath, """{"sub": "alice"}""", HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedClientSecret);

        Assert.InRange(responses.Count(r => r.StatusCode == HttpStatusCode.OK), 10, 20);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests && r.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.Forbidden, otherClient.StatusCode);
        Assert.All(responses, r => r.Dispose());
    }
}
