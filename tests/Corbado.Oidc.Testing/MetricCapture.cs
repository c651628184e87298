using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Corbado.Oidc.Testing;

/// <summary>
/// Every measurement of the meters one <see cref="IMeterFactory"/> created (a server's, or a test's), in order: other
/// servers running in the same test process at the same time are not seen.
/// </summary>
public sealed class MetricCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _values = new();

    public MetricCapture(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == scope)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of one instrument (by its OpenTelemetry name, for example <c>corbado.oidc.logins</c>).</summary>
    public IReadOnlyList<Measurement> Of(string instrument) => [.. _values.Where(v => v.Instrument == instrument)];

    /// <summary>One tag's values over the measurements of an instrument.</summary>
    public IReadOnlyList<string?> Tag(string instrument, string tag) => [.. Of(instrument).Select(v => v.Tags.GetValueOrDefault(tag))];

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            values[key] = tagValue?.ToString();
        }

        _values.Enqueue(new Measurement(instrument.Name, value, values));
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);
}
