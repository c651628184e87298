using System.Diagnostics;
using System.Threading.Channels;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>
/// signedPasskeyData for the run, minted off the measured path. A first batch is minted before timing starts (in
/// parallel, one key per thread); for longer runs a single producer keeps a bounded channel topped up while the run
/// goes, because a hint lives only five minutes (Corbado:MaxAge). A hint older than <see cref="MaxHintAge"/> when a
/// worker takes it is dropped, never sent, and the producer mints a replacement.
/// </summary>
public sealed class HintSupply : IAsyncDisposable
{
    /// <summary>Well inside the server's five-minute maximum age, with room for its one-minute clock skew.</summary>
    public static readonly TimeSpan MaxHintAge = TimeSpan.FromMinutes(4);

    private readonly HintMinter[] _minters;
    private readonly Channel<MintedHint> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _owed = new(0);
    private Task? _producer;
    private long _minted;
    private long _stale;
    private long _starved;
    private long _starvedTicks;

    private readonly record struct MintedHint(string Value, long MintedAt);

    public HintSupply(HintMinter[] minters, int capacity)
    {
        _minters = minters;
        _channel = Channel.CreateBounded<MintedHint>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            SingleWriter = false,
            SingleReader = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Minted => Interlocked.Read(ref _minted);
    public long StaleDropped => Interlocked.Read(ref _stale);

    /// <summary>How often a worker found the pool empty and waited for the producer, and for how long in total.</summary>
    public long StarvedWaits => Interlocked.Read(ref _starved);
    public TimeSpan StarvedTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _starvedTicks));

    /// <summary>Mints <paramref name="count"/> hints in parallel (one minter, and so one key, per thread) into the pool.</summary>
    public void Fill(int count)
    {
        var perThread = (count + _minters.Length - 1) / _minters.Length;
        Parallel.For(0, _minters.Length, new ParallelOptions { MaxDegreeOfParallelism = _minters.Length }, t =>
        {
            var n = Math.Min(perThread, count - t * perThread);
            for (var i = 0; i < n; i++)
            {
                if (!_channel.Writer.TryWrite(Mint(_minters[t])))
                {
                    throw new InvalidOperationException("The hint pool is smaller than the pre-minted batch.");
                }
            }
        });
    }

    /// <summary>
    /// Starts one background producer that mints <paramref name="count"/> more hints as room frees up, plus one for
    /// every stale hint dropped, up to <paramref name="limit"/> in all (so a slow run cannot mint forever).
    /// </summary>
    public void StartProducer(long count, long limit)
    {
        if (count > 0)
        {
            _owed.Release((int)Math.Min(int.MaxValue, count));
        }

        var minter = _minters[0];
        _producer = Task.Run(async () =>
        {
            while (Minted < limit)
            {
                await _owed.WaitAsync(_stop.Token);
                await _channel.Writer.WriteAsync(Mint(minter), _stop.Token);
            }
        });
    }

    /// <summary>The next fresh hint; waits (bounded by <paramref name="cancellationToken"/>) when the pool is empty.</summary>
    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
    {
        // Bounded: each pass consumes a hint, and the producer's total is capped.
        while (true)
        {
            if (!_channel.Reader.TryRead(out var hint))
            {
                var waitStarted = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _starved);
                hint = await _channel.Reader.ReadAsync(cancellationToken);
                Interlocked.Add(ref _starvedTicks, Stopwatch.GetTimestamp() - waitStarted);
            }

            if (Stopwatch.GetElapsedTime(hint.MintedAt) < MaxHintAge)
            {
                return hint.Value;
            }

            Interlocked.Increment(ref _stale);
            _owed.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_producer is not null)
        {
            try
            {
                await _producer;
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose.
            }
        }

        _stop.Dispose();
        _owed.Dispose();
    }

    private MintedHint Mint(HintMinter minter)
    {
        var minted = Interlocked.Increment(ref _minted);
        // A thousand distinct users, so the subject varies as in real traffic.
        var hint = minter.Mint(webAuthnId: "bench-user-" + (minted % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new MintedHint(hint, Stopwatch.GetTimestamp());
    }
}
