using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.Hardening;

public sealed partial class HttpHardeningTests
{
    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task AuthorizeRedirect_CarriesSecurityHeadersAndNoStore()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync("authorize?" + string.Join('&',
            OidcProtocol.AuthorizeParameters(factory.Minter.Mint()).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Response_OverRealKestrel_CarriesNoServerBanner()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = new HttpClient { BaseAddress = factory.StartOnKestrel() };
        // TLS ends at a proxy in production; the forwarded scheme is trusted from loopback.
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        using var response = await client.GetAsync(".well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.Server);
    }

    [Fact]
    public async Task TokenResponse_IsNoStore()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));

        using var response = await client.RedeemCodeAsync(authorization.Code!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task FormPostPage_InlineScriptMatchesCspHash()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var parameters = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        parameters["response_mode"] = "form_post";

        using var response = await client.GetAsync("authorize?" + string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var script = Script().Match(body).Groups[1].Value;
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
        Assert.Contains($"script-src 'sha256-{hash}'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Authorize_OverPerIpLimit_Answers429WithRetryAfter()
    {
        using var factory = new CorbadoOidcServerFactory(s => s["RateLimiting:AuthorizePerIpPerMinute"] = "6");
        using var client = factory.CreateProtocolClient();

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add(await client.GetAsync("authorize?client_id=rp-confidential"));
        }

        var limited = statuses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Contains("temporarily_unavailable", await limited.Content.ReadAsStringAsync());
        statuses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Token_OverPerClientLimit_Answers429()
    {
        using var factory = new CorbadoOidcServerFactory(s => s["RateLimiting:TokenPerClientPerMinute"] = "6");
        using var client = factory.CreateProtocolClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.RedeemCodeAsync("not-a-code");
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
    }

    [Fact]
    public async Task Token_DatabaseUnreachable_Answers503TemporarilyUnavailable()
    {
        var missing = Path.Combine(Path.GetTempPath(), "corbado-missing-" + Guid.NewGuid().ToString("N"), "no.db");
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            // No clients to seed at start-up: start-up itself would need the database.
            foreach (var key in settings.Keys.Where(k => k.StartsWith("Clients:", StringComparison.Ordinal)).ToList())
            {
                settings.Remove(key);
            }
        })
        {
            // The request-scoped context (used by OpenIddict's stores) points at a database that cannot be opened.
            ConfigureServices = services => services.AddScoped<OidcDbContext>(_ =>
                new SqliteOidcDbContext(new DbContextOptionsBuilder<SqliteOidcDbContext>().UseSqlite($"Data Source={missing};Mode=ReadWrite").Options)),
        };
        using var client = factory.CreateProtocolClient();

        using var response = await client.RedeemCodeAsync("some-code");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("temporarily_unavailable", (await response.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Script();
}
