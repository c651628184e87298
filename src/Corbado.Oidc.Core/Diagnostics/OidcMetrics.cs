using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Corbado.Oidc.Core.Diagnostics;

/// <summary>
/// Every instrument of the <c>Corbado.Oidc</c> meter, created once from the host's <see cref="IMeterFactory"/> (so each
/// host, and each test server, has its own). Names follow OpenTelemetry; the Prometheus exporter turns
/// <c>corbado.oidc.logins</c> into <c>corbado_oidc_logins_total</c> and the seconds histogram into
/// <c>corbado_oidc_login_duration_seconds</c>. Callers pass tag values that are already bounded (see
/// <c>Corbado.Oidc.Server.Diagnostics.MetricLabels</c>); nothing here takes a value from a request.
/// </summary>
public sealed class OidcMetrics
{
    /// <summary>The meter name to enable in a metrics pipeline.</summary>
    public const string MeterName = "Corbado.Oidc";

    /// <summary>The activity source name to enable in a tracing pipeline.</summary>
    public const string ActivitySourceName = "Corbado.Oidc";

    /// <summary>Spans of the login path: hint verification, the passkey backend call, the login path's SQL.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    // Login steps take from well under a millisecond (local verification) to seconds (a slow passkey backend);
    // OpenTelemetry's default buckets assume milliseconds and would put every login into the first one.
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;

    public OidcMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        Logins = meter.CreateCounter<long>("corbado.oidc.logins", description: "Passkey login attempts at /authorize, by outcome, reason code and client.");
        LoginDuration = meter.CreateHistogram<double>("corbado.oidc.login.duration", unit: "s",
            description: "Duration of one step of a passkey login.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        TokensIssued = meter.CreateCounter<long>("corbado.oidc.tokens.issued", description: "Token responses issued for passkey grants, by grant type and client.");
        CodeReplays = meter.CreateCounter<long>("corbado.oidc.code.replays", description: "Authorization codes presented again after redemption (their grant's tokens are revoked).");
        JwksRefreshes = meter.CreateCounter<long>("corbado.oidc.jwks.refreshes", description: "Loads of the passkey issuer key set, by result (success, failure).");
        RemoteVerifications = meter.CreateCounter<long>("corbado.oidc.remote.verifications", description: "Calls to the passkey backend, by result (accepted, rejected, unavailable).");
        PrunedRows = meter.CreateCounter<long>("corbado.oidc.pruned.rows", description: "Expired rows removed by the pruner, by table.");
        BackchannelLogouts = meter.CreateCounter<long>("corbado.oidc.backchannel_logouts",
            description: "Back-channel logout token deliveries, by outcome (sent, retried, abandoned), reason code and client.");
    }

    public Counter<long> Logins { get; }
    public Histogram<double> LoginDuration { get; }
    public Counter<long> TokensIssued { get; }
    public Counter<long> CodeReplays { get; }
    public Counter<long> JwksRefreshes { get; }
    public Counter<long> RemoteVerifications { get; }
    public Counter<long> PrunedRows { get; }
    public Counter<long> BackchannelLogouts { get; }

    /// <summary>
    /// <c>corbado_oidc_passkey_keys_available</c>: 1 while the replica holds a usable passkey issuer key set, else 0. Readiness
    /// does not depend on it (an outage of the passkey backend's JWKS must not take discovery and our own JWKS off the
    /// load balancer), so this gauge and its alert are what tell that hint logins fail.
    /// </summary>
    public void ObservePasskeyKeysAvailable(Func<bool> available)
        => _meter.CreateObservableGauge("corbado.oidc.passkey_keys.available", () => available() ? 1 : 0,
            description: "1 while a usable passkey issuer key set is held, else 0 (hint logins are refused as keys_unavailable).");

    /// <summary>Records how long a login step took, measured from a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public void RecordStep(string step, long startTimestamp)
        => LoginDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("step", step));
}
