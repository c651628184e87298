namespace Corbado.Oidc.Bench;

/// <summary>What the scrapes of one timed run saw.</summary>
public sealed record ScrapeStats(int IntervalSeconds, int Succeeded, int Failed, long Bytes)
{
    public static readonly ScrapeStats None = new(0, 0, 0, 0);
}

/// <summary>
/// Prometheus's side of the shipped configuration: <c>GET /metrics</c> on the management port every few seconds
/// while a timed run goes, the first at once (so even a short run is scraped). Bounded: it stops when disposed (the
/// run's end) and never scrapes more than <c>maxScrapes</c> times.
/// </summary>
public sealed class MetricsScraper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _succeeded;
    private int _failed;
    private long _bytes;
    private string? _firstFailure;

    public MetricsScraper(Uri managementAddress, TimeSpan interval, int maxScrapes)
    {
        Interval = interval;
        _loop = Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = managementAddress, Timeout = TimeSpan.FromSeconds(10) };
            using var timer = new PeriodicTimer(interval);
            for (var i = 0; i < maxScrapes && (i == 0 || await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)); i++)
            {
                try
                {
                    // A scrape once started is finished (bounded by the client's timeout), as Prometheus finishes it: on
                    // a short run the first scrape may still be in flight when the run ends.
                    using var response = await http.GetAsync("metrics", CancellationToken.None).ConfigureAwait(false);
                    var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode && body.Length > 0)
                    {
                        Interlocked.Increment(ref _succeeded);
                        Interlocked.Add(ref _bytes, body.Length);
                    }
                    else
                    {
                        Fail($"GET /metrics answered {(int)response.StatusCode}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Fail(e.Message);
                }
            }
        });
    }

    public TimeSpan Interval { get; }

    /// <summary>The first failed scrape, for a warning.</summary>
    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    /// <summary>Stops the loop and returns what it saw.</summary>
    public async Task<ScrapeStats> StopAsync()
    {
        await DisposeAsync();
        return new ScrapeStats((int)Interval.TotalSeconds, _succeeded, _failed, Interlocked.Read(ref _bytes));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the run.
        }
    }

    private void Fail(string reason)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstFailure, reason, null);
    }
}
