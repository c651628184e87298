using System.Diagnostics;
using System.Globalization;

namespace Corbado.Oidc.Bench;

/// <summary>Progress lines on stderr (left out in a smoke run).</summary>
public static class BenchLog
{
    /// <summary>Set for a smoke run: progress lines are left out (see <see cref="BenchOptions.Smoke"/>).</summary>
    public static bool Quiet { get; set; }

    public static void Write(string message)
    {
        if (!Quiet)
        {
            Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
        }
    }

    public static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A progress line every ten seconds on stderr, so long runs show they are alive.</summary>
public sealed class Progress : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Progress(LatencyLog log, int total, long startedAt, string unit)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var seconds = Stopwatch.GetElapsedTime(startedAt).TotalSeconds;
                BenchLog.Write(BenchLog.I($"{log.Count:N0}/{total:N0} {unit}, {seconds:N0} s, {log.Count / seconds:N0} {unit}/s"));
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }
}
