using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Corbado.Oidc.Bench;

/// <summary>The relying party's side of one client: its id, secret and registered redirect URI.</summary>
public sealed record BenchClient(string ClientId, string ClientSecret, string RedirectUri);

/// <summary>How a run ended.</summary>
public sealed record DriveResult(int Attempted, int Succeeded, int Failed, string StoppedBy, TimeSpan Elapsed);

/// <summary>
/// Runs one kind of operation (a browser login, a token exchange, a refresh, a verify API call) back to back on a
/// fixed number of workers over one <see cref="HttpClient"/>, and counts each failure by kind.
/// </summary>
public abstract class OperationDriver(HttpClient http)
{
    /// <summary>Past this many failures a run stops: the numbers would mean nothing.</summary>
    public const int MaxErrors = 1000;

    private const int MaxSamples = 5;
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _samples = new();
    private long _errorCount;

    protected HttpClient Http => http;

    public IReadOnlyDictionary<string, long> Errors => new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);

    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>The first few failures in detail (status, a slice of the body), for a person to read.</summary>
    public IReadOnlyCollection<string> ErrorSamples => _samples.ToArray();

    public void ResetErrors()
    {
        _errors.Clear();
        _samples.Clear();
        Interlocked.Exchange(ref _errorCount, 0);
    }

    /// <summary>Untimed preparation before the warm-up (for example the refresh tokens a refresh run starts from).</summary>
    public virtual Task PrepareAsync(int concurrency, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs <paramref name="count"/> operations on <paramref name="concurrency"/> workers. No new one starts after
    /// <paramref name="limit"/>; one in flight is bounded by the HTTP client's timeout.
    /// </summary>
    public async Task<DriveResult> RunAsync(int count, int concurrency, TimeSpan limit, LatencyLog? log, Func<bool> serverAlive,
        CancellationToken cancellationToken)
    {
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(limit + http.Timeout + TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.StartNew();
        var next = -1;
        var succeeded = 0;
        var failed = 0;
        var stoppedBy = "completed";

        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    if (elapsed.Elapsed >= limit)
                    {
                        stoppedBy = "duration_limit";
                        return;
                    }

                    if (ErrorCount >= MaxErrors)
                    {
                        stoppedBy = "too_many_errors";
                        return;
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        stoppedBy = "cancelled";
                        return;
                    }

                    if (Interlocked.Increment(ref next) >= count)
                    {
                        return;
                    }

                    if (await OnceAsync(worker, log, hardStop.Token))
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                        if (!serverAlive())
                        {
                            stoppedBy = "server_exited";
                            return;
                        }
                    }
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(workers);
        elapsed.Stop();
        return new DriveResult(succeeded + failed, succeeded, failed, stoppedBy, elapsed.Elapsed);
    }

    /// <summary>One operation, checked as its client would; false (after <see cref="Fail"/>) when it failed.</summary>
    protected virtual Task<bool> OnceAsync(int worker, LatencyLog? log, CancellationToken cancellationToken) => OnceAsync(log, cancellationToken);

    protected abstract Task<bool> OnceAsync(LatencyLog? log, CancellationToken cancellationToken);

    /// <summary>RFC 6749 §2.3.1 client_secret_basic: id and secret form-encoded, then Base64; encoded once for the run.</summary>
    protected static string BasicCredentials(BenchClient client) => "Basic " + Convert.ToBase64String(
        Encoding.UTF8.GetBytes(Uri.EscapeDataString(client.ClientId) + ":" + Uri.EscapeDataString(client.ClientSecret)));

    /// <summary>A string member of a JSON object's top level, or null (read without building a document).</summary>
    protected static string? StringMember(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                if (match)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected bool Fail(string kind, string? detail)
    {
        _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _errorCount);
        if (_samples.Count < MaxSamples)
        {
            var text = detail is null ? "" : detail.Length > 300 ? detail[..300] + "…" : detail;
            _samples.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{kind}: {text}"));
        }

        return false;
    }

    protected static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
