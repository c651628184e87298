using System.Diagnostics.Metrics;
using Corbado.Oidc.Core.Diagnostics;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Corbado.Oidc.Core.Tests.Diagnostics;

/// <summary>The key-set loads are counted where they happen, by result, on the host's meter.</summary>
public sealed class OidcMetricsTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly MetricCapture _measurements;

    public OidcMetricsTests() => _measurements = new MetricCapture(_meters);

    [Fact]
    public async Task JwksRefresh_SuccessThenFailure_CountedByResult()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var key = TestSigningKey.CreateRsa("pki-metrics");
        var fail = false;
        var resolver = new JwksKeyResolver(_ => fail ? throw new HttpRequestException("down") : Task.FromResult(TestSigningKey.ToJwksJson(key)),
            TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), clock, metrics: new OidcMetrics(_meters));

        Assert.True(await resolver.TryRefreshAsync(CancellationToken.None));
        fail = true;
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.NotNull(await resolver.FindKeyAsync(key.KeyId, CancellationToken.None));

        Assert.Equal(["success", "failure"], _measurements.Tag("corbado.oidc.jwks.refreshes", "result"));
        Assert.All(_measurements.Of("corbado.oidc.jwks.refreshes"), m => Assert.Equal(1, m.Value));
    }

    public void Dispose()
    {
        _measurements.Dispose();
        _meters.Dispose();
    }

    /// <summary>Meters scoped to this test, as the host's IMeterFactory scopes them to its container.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(meter => meter.Dispose());
    }
}
