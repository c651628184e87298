using System.Diagnostics;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Tracing is on exactly when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Spans are captured with OpenTelemetry's
/// in-memory exporter next to the OTLP one (whose endpoint here accepts nothing): the request, the hint verification and
/// the login path's SQL share one trace, and no span carries the hint or the code.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Login_WithOtlpEndpoint_TracesRequestHintVerificationAndSqlWithoutSecrets()
    {
        var spans = new LockedCollection<Activity>();
        using var factory = new CorbadoOidcServerFactory(settings =>
            settings[ServerTelemetry.OtlpEndpointSetting] = $"http://127.0.0.1:{LoopbackPorts.Free()}")
        {
            ConfigureServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
        };
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint();

        // Each request continues a trace the test chose (W3C traceparent), so spans of servers that other tests run in
        // this process at the same time are told apart.
        ActivityTraceId[] traces = [ActivityTraceId.CreateRandom(), ActivityTraceId.CreateRandom()];
        var answers = new List<AuthorizationResponse>();
        foreach (var trace in traces)
        {
            client.DefaultRequestHeaders.Remove("traceparent");
            client.DefaultRequestHeaders.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
            answers.Add(await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint)));
        }

        factory.Services.GetRequiredService<TracerProvider>().ForceFlush();
        var ours = spans.Snapshot().Where(s => traces.Contains(s.TraceId)).ToList();

        Assert.NotNull(answers[0].Code);
        Assert.Equal("access_denied", answers[1].Error);
        foreach (var trace in traces)
        {
            var request = Assert.Single(ours, s => s.Kind == ActivityKind.Server && s.TraceId == trace);
            Assert.Equal("/authorize", request.GetTagItem("url.path"));
            var verification = Assert.Single(ours, s => s.OperationName == "passkey.verify_hint" && s.TraceId == trace);
            Assert.Equal(request.SpanId, verification.ParentSpanId);
            Assert.Contains(ours, s => s.OperationName == "db.statement" && s.TraceId == trace
                && s.GetTagItem("db.query.text") is string sql && sql.Contains("ReplayEntries", StringComparison.Ordinal));
        }

        var refused = Assert.Single(ours, s => s.OperationName == "passkey.verify_hint" && s.TraceId == traces[1]);
        Assert.Equal("replayed", refused.GetTagItem("corbado.reason"));
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        var accepted = answers[0];
        var values = ours.SelectMany(s => s.TagObjects.Select(t => t.Value?.ToString() ?? "").Append(s.DisplayName)).ToList();
        foreach (var secret in new[] { hint, accepted.Code! })
        {
            Assert.DoesNotContain(values, value => value.Contains(secret, StringComparison.Ordinal) || value.Contains(secret[^16..], StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Server_WithoutOtlpEndpoint_HasNoTracing()
    {
        using var factory = new CorbadoOidcServerFactory();

        Assert.Null(factory.Services.GetService<TracerProvider>());
    }
}

/// <summary>A collection the exporter may add to from several threads (every server in this process is traced by it).</summary>
internal sealed class LockedCollection<T> : System.Collections.ObjectModel.Collection<T>
{
    private readonly object _lock = new();

    public List<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. this];
        }
    }

    protected override void InsertItem(int index, T item)
    {
        lock (_lock)
        {
            base.InsertItem(index, item);
        }
    }
}
