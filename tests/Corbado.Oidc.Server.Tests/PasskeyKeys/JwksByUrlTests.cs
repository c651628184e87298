using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Server.Tests.PasskeyKeys;

/// <summary>
/// Issues 3 and 5: the passkey issuer's key set fetched by URL over real HTTP from a local issuer: rotation without
/// restart, stale-if-error while the issuer is down, fail closed for unknown keys, readiness until a key set exists.
/// </summary>
public sealed class JwksByUrlTests : IAsyncLifetime
{
    private readonly TestSigningKey _first = TestSigningKey.CreateRsa("issuer-key-1");
    private readonly TestSigningKey _second = TestSigningKey.CreateRsa("issuer-key-2");
    private WebApplication _issuer = null!;
    private volatile string? _jwks;
    private int _fetches;

    private Uri JwksUrl { get; set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        _issuer.MapGet("/.well-known/jwks", () =>
        {
            Interlocked.Increment(ref _fetches);
            return _jwks is { } body ? Results.Text(body, "application/json") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        });
        await _issuer.StartAsync();
        JwksUrl = new Uri(_issuer.Urls.First() + "/.well-known/jwks");
    }

    private CorbadoOidcServerFactory CreateServer() => new(settings =>
    {
        settings["Corbado:JwksFile"] = null;
        settings["Corbado:JwksUrl"] = JwksUrl.AbsoluteUri;
    });

    private static async Task<AuthorizationResponse> LoginAsync(CorbadoOidcServerFactory server, HttpClient client, TestSigningKey key)
        => await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(new HintMinter(key, HintMinter.DefaultProjectId, server.Clock).Mint()));

    [Fact]
    public async Task IssuerRotatesKeys_NewKidAcceptedWithoutRestart_RemovedKidRefused()
    {
        _jwks = TestSigningKey.ToJwksJson(_first);
        using var server = CreateServer();
        using var client = server.CreateProtocolClient();
        Assert.NotNull((await LoginAsync(server, client, _first)).Code);

        _jwks = TestSigningKey.ToJwksJson(_second);
        server.Clock.Advance(TimeSpan.FromSeconds(31));
        var withNewKey = await LoginAsync(server, client, _second);
        var withRemovedKey = await LoginAsync(server, client, _first);

        Assert.NotNull(withNewKey.Code);
        Assert.Null(withRemovedKey.Code);
        Assert.Equal("access_denied", withRemovedKey.Error);
    }

    [Fact]
    public async Task UnknownKids_RefreshAtMostOncePerInterval()
    {
        _jwks = TestSigningKey.ToJwksJson(_first);
        using var server = CreateServer();
        using var client = server.CreateProtocolClient();
        Assert.NotNull((await LoginAsync(server, client, _first)).Code);
        var fetchesAfterFirstLogin = _fetches;

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("access_denied", (await LoginAsync(server, client, _second)).Error);
        }

        // An attacker spraying unknown kids cannot turn the server into a JWKS-fetching amplifier.
        Assert.True(_fetches - fetchesAfterFirstLogin <= 1, $"{_fetches - fetchesAfterFirstLogin} fetches");
    }

    [Fact]
    public async Task IssuerDown_CachedKeysKeepWorking_UnknownKidFailsClosed()
    {
        _jwks = TestSigningKey.ToJwksJson(_first);
        using var server = CreateServer();
        using var client = server.CreateProtocolClient();
        Assert.NotNull((await LoginAsync(server, client, _first)).Code);

        _jwks = null;
        server.Clock.Advance(TimeSpan.FromMinutes(30));
        var cached = await LoginAsync(server, client, _first);
        var unknown = await LoginAsync(server, client, _second);
        using var ready = await client.GetAsync("health/ready");

        Assert.NotNull(cached.Code);
        Assert.Null(unknown.Code);
        Assert.Equal("access_denied", unknown.Error);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task IssuerDownFromStart_StaysReadyButDegraded_LoginsFailClosed_UntilKeysArrive()
    {
        _jwks = null;
        using var server = CreateServer();
        using var client = server.CreateProtocolClient();

        // Issue 22: an outage of the passkey backend's JWKS must not take every replica off the load balancer (discovery
        // and our own JWKS stay served); readiness says Degraded with 200, the metric and its alert tell the operator.
        using var degraded = await client.GetAsync("health/ready");
        using var ourJwks = await client.GetAsync(".well-known/jwks");
        var refused = await LoginAsync(server, client, _first);
        _jwks = TestSigningKey.ToJwksJson(_first);
        server.Clock.Advance(TimeSpan.FromSeconds(31));
        using var ready = await client.GetAsync("health/ready");
        var accepted = await LoginAsync(server, client, _first);

        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Equal("Degraded", await degraded.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ourJwks.StatusCode);
        Assert.Null(refused.Code);
        Assert.NotNull(refused.Error);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        Assert.NotNull(accepted.Code);
    }

    [Fact]
    public async Task KeySetUnreachable_LoginRefusedAsKeysUnavailable_WarningsNameHostWithoutStackTraces()
    {
        var capture = new LogCapture();
        // Nothing listens on a port just found free: every fetch is refused.
        using var server = new CorbadoOidcServerFactory(settings =>
        {
            settings["Corbado:JwksFile"] = null;
            settings["Corbado:JwksUrl"] = $"http://127.0.0.1:{LoopbackPorts.Free()}/.well-known/jwks";
        })
        {
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(capture),
        };
        using var client = server.CreateProtocolClient();

        var refused = await LoginAsync(server, client, _first);

        // The operator's problem, not the hint's: the user may try again (Refusals.KeysUnavailable).
        Assert.Equal("temporarily_unavailable", refused.Error);
        var lines = capture.Lines.ToList();
        Assert.Contains(lines, line => line.Contains("keys_unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("unknown_key", StringComparison.Ordinal));
        var fetchFailures = lines.Where(line => line.Contains("[1101]", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(fetchFailures);
        Assert.All(fetchFailures, line => Assert.StartsWith("Warning ", line));
        Assert.All(fetchFailures, line => Assert.Contains("could not be loaded from 127.0.0.1 (HttpRequestException: Connection refused", line));
        Assert.DoesNotContain(lines, line => line.Contains("   at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _issuer.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
    }
}
