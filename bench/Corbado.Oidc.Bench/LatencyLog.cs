using System.Diagnostics;

namespace Corbado.Oidc.Bench;

/// <summary>
/// Per-login latencies of the timed run, stored by completion order in arrays sized for the run (at most a million
/// logins: about 24 MB), so that percentiles are exact and every window of the run can be looked at afterwards.
/// </summary>
public sealed class LatencyLog
{
    private readonly float[] _login;
    private readonly float[] _authorize;
    private readonly float[] _token;
    private readonly float[] _verify;
    private readonly long[] _completedAt;
    private readonly int _window;
    private readonly Func<double>? _serverCpuSeconds;
    private readonly double[] _serverCpuAtBoundary;
    private int _count;

    /// <param name="capacity">The most logins the run can record.</param>
    /// <param name="window">Logins per window; the server's CPU time is sampled each time one fills up.</param>
    /// <param name="serverCpuSeconds">The server's utime + stime so far, or null not to sample.</param>
    public LatencyLog(int capacity, int window = int.MaxValue, Func<double>? serverCpuSeconds = null)
    {
        _window = Math.Max(1, window);
        _serverCpuSeconds = serverCpuSeconds;
        _serverCpuAtBoundary = new double[serverCpuSeconds is null ? 0 : capacity / _window];
        _login = new float[capacity];
        _authorize = new float[capacity];
        _token = new float[capacity];
        _verify = new float[capacity];
        _completedAt = new long[capacity];
    }

    public int Count => Math.Min(Volatile.Read(ref _count), _login.Length);

    public void Record(double loginMs, double authorizeMs, double tokenMs, double verifyMs)
    {
        var k = Interlocked.Increment(ref _count) - 1;
        if (k >= _login.Length)
        {
            return;
        }

        _login[k] = (float)loginMs;
        _authorize[k] = (float)authorizeMs;
        _token[k] = (float)tokenMs;
        _verify[k] = (float)verifyMs;
        _completedAt[k] = Stopwatch.GetTimestamp();
        if (_serverCpuSeconds is not null && (k + 1) % _window == 0 && (k + 1) / _window - 1 < _serverCpuAtBoundary.Length)
        {
            // One /proc read per window, on the worker that completed the window's last login.
            _serverCpuAtBoundary[(k + 1) / _window - 1] = _serverCpuSeconds();
        }
    }

    public LatencySummary Login(int from = 0, int to = -1) => LatencySummary.Of(_login, from, to < 0 ? Count : to);
    public LatencySummary Authorize() => LatencySummary.Of(_authorize, 0, Count);
    public LatencySummary Token() => LatencySummary.Of(_token, 0, Count);
    public LatencySummary Verify() => LatencySummary.Of(_verify, 0, Count);

    /// <summary>
    /// Throughput, tail latency and server CPU per window of completed logins (the size given to the constructor); a
    /// window's duration runs from the previous window's last completion (or the start of timing) to its own last
    /// completion, and its CPU from the sample taken then to the one taken at its end (<paramref name="serverCpuAfter"/>
    /// for a last, partial window).
    /// </summary>
    public IReadOnlyList<WindowStats> Windows(long timingStartedAt, double serverCpuBefore, double serverCpuAfter)
    {
        var windows = new List<WindowStats>();
        var count = Count;
        var size = _window;
        for (var from = 0; from < count; from += size)
        {
            var to = Math.Min(count, from + size);
            var begin = from == 0 ? timingStartedAt : _completedAt[from - 1];
            var seconds = Stopwatch.GetElapsedTime(begin, _completedAt[to - 1]).TotalSeconds;
            var latency = Login(from, to);
            var index = windows.Count;
            double? cpuMsPerLogin = null;
            if (_serverCpuSeconds is not null)
            {
                var cpuBegin = index == 0 ? serverCpuBefore : _serverCpuAtBoundary[index - 1];
                var cpuEnd = to - from == size && index < _serverCpuAtBoundary.Length ? _serverCpuAtBoundary[index] : serverCpuAfter;
                cpuMsPerLogin = double.IsFinite(cpuEnd - cpuBegin) ? Math.Round((cpuEnd - cpuBegin) * 1000 / (to - from), 4) : null;
            }

            windows.Add(new WindowStats(index + 1, from + 1, to, to - from < size,
                Math.Round(seconds > 0 ? (to - from) / seconds : 0, 1), latency.P50, latency.P99, cpuMsPerLogin));
        }

        return windows;
    }
}

/// <summary>Milliseconds, nearest-rank percentiles.</summary>
public sealed record LatencySummary(int Count, double Mean, double P50, double P95, double P99, double Max)
{
    public static LatencySummary Of(float[] values, int from, int to)
    {
        var n = to - from;
        if (n <= 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }

        var sorted = values.AsSpan(from, n).ToArray();
        Array.Sort(sorted);
        double sum = 0;
        foreach (var v in sorted)
        {
            sum += v;
        }

        return new LatencySummary(n, R(sum / n), R(Rank(sorted, 0.50)), R(Rank(sorted, 0.95)), R(Rank(sorted, 0.99)), R(sorted[^1]));
    }

    private static double Rank(float[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double R(double v) => Math.Round(v, 3);
}

/// <summary>
/// One window of the run: which logins, whether it is a partial last window, logins/s, p50 and p99 in ms, and the
/// server's CPU per login in ms (utime + stime sampled at the window's boundaries; 10 ms clock ticks).
/// </summary>
public sealed record WindowStats(int Window, int FirstLogin, int LastLogin, bool Partial, double LoginsPerSecond, double P50Ms, double P99Ms,
    double? ServerCpuMsPerLogin);
