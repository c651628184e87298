using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>
/// signedPasskeyData for the run, minted off the measured path. A first batch is minted before timing starts, in
/// parallel on every core (one key per thread; the server is idle then), and kept as ASCII bytes in large shared
/// buffers: a 1,000,000-hint batch is about 1 GB and a handful of objects for the garbage collector. Hints beyond the
/// batch come from a single producer that keeps a bounded channel topped up while the run goes. A hint older than
/// <see cref="MaxHintAge"/> when a worker takes it is dropped, never sent, and the producer mints a replacement.
/// </summary>
public sealed class HintSupply : IAsyncDisposable
{
    /// <summary>The server's default Corbado:MaxAge, and the lifetime of a hint the passkey backend issues.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private const int ChunkBytes = 16 << 20;
    private readonly HintMinter[] _minters;
    private readonly Channel<MintedHint> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _owed = new(0);
    private readonly List<byte[]>[] _chunks;
    private Slot[] _batch = [];
    private int _next = -1;
    private Task? _producer;
    private long _minted;
    private long _stale;
    private long _starved;
    private long _starvedTicks;
    private long _limit;

    private readonly record struct MintedHint(byte[] Value, long MintedAt);

    /// <summary>Where a pre-minted hint lives: thread <c>Minter</c>'s buffer <c>Chunk</c>, at <c>Offset</c>.</summary>
    private readonly record struct Slot(short Minter, short Chunk, int Offset, int Length, long MintedAt);

    /// <param name="minters">One per pre-minting thread; the first also serves the in-run producer.</param>
    /// <param name="lifetime">From <c>iat</c> to <c>exp</c> of every hint; the server must accept hints that old (Corbado:MaxAge).</param>
    /// <param name="channelCapacity">How far the in-run producer may run ahead.</param>
    public HintSupply(HintMinter[] minters, TimeSpan lifetime, int channelCapacity)
    {
        _minters = minters;
        Lifetime = lifetime;
        _chunks = [.. minters.Select(_ => new List<byte[]>())];
        _channel = Channel.CreateBounded<MintedHint>(new BoundedChannelOptions(Math.Max(1, channelCapacity))
        {
            SingleWriter = true,
            SingleReader = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public TimeSpan Lifetime { get; }

    /// <summary>A minute inside the lifetime: room for the server's one-minute clock skew and a slow request.</summary>
    public TimeSpan MaxHintAge => Lifetime - TimeSpan.FromMinutes(1);

    public long Minted => Interlocked.Read(ref _minted);
    public long StaleDropped => Interlocked.Read(ref _stale);

    /// <summary>How often a worker found the pool empty and waited for the producer, and for how long in total.</summary>
    public long StarvedWaits => Interlocked.Read(ref _starved);
    public TimeSpan StarvedTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _starvedTicks));

    /// <summary>Bytes held by the pre-minted batch.</summary>
    public long BatchBytes => _chunks.Sum(c => (long)c.Count * ChunkBytes);

    /// <summary>
    /// Mints <paramref name="count"/> hints on one thread per minter (and so per key), hint i on thread i mod n, so
    /// that they are taken in about the order they were minted. Call once, before the run.
    /// </summary>
    public void Fill(int count)
    {
        var batch = new Slot[count];
        var threads = _minters.Length;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var chunks = _chunks[t];
            var offset = ChunkBytes;
            for (var i = t; i < count; i += threads)
            {
                var hint = Mint(_minters[t]);
                if (offset + hint.Length > ChunkBytes)
                {
                    chunks.Add(GC.AllocateUninitializedArray<byte>(ChunkBytes));
                    offset = 0;
                }

                var length = Encoding.ASCII.GetBytes(hint, chunks[^1].AsSpan(offset));
                batch[i] = new Slot((short)t, (short)(chunks.Count - 1), offset, length, Stopwatch.GetTimestamp());
                offset += length;
            }
        });
        _batch = batch;
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

        Interlocked.Exchange(ref _limit, limit);
        var minter = _minters[0];
        _producer = Task.Run(async () =>
        {
            while (Minted < Interlocked.Read(ref _limit))
            {
                await _owed.WaitAsync(_stop.Token);
                await _channel.Writer.WriteAsync(new MintedHint(Encoding.ASCII.GetBytes(Mint(minter)), Stopwatch.GetTimestamp()), _stop.Token);
            }
        });
    }

    /// <summary>
    /// Owes the producer <paramref name="count"/> more hints (and raises its limit by as many): the warm-up that runs
    /// until the JIT settles takes hints no plan counted, and the timed run must still find its share.
    /// </summary>
    public void Owe(int count)
    {
        if (count <= 0)
        {
            return;
        }

        Interlocked.Add(ref _limit, count);
        _owed.Release(count);
    }

    /// <summary>The next fresh hint (ASCII); waits (bounded by <paramref name="cancellationToken"/>) when the pool is empty.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> TakeAsync(CancellationToken cancellationToken)
    {
        // Bounded: each pass consumes a hint, the batch is finite and the producer's total is capped.
        while (true)
        {
            ReadOnlyMemory<byte> value;
            long mintedAt;
            var next = Interlocked.Increment(ref _next);
            if (next < _batch.Length)
            {
                var slot = _batch[next];
                value = _chunks[slot.Minter][slot.Chunk].AsMemory(slot.Offset, slot.Length);
                mintedAt = slot.MintedAt;
            }
            else
            {
                if (!_channel.Reader.TryRead(out var hint))
                {
                    var waitStarted = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref _starved);
                    hint = await _channel.Reader.ReadAsync(cancellationToken);
                    Interlocked.Add(ref _starvedTicks, Stopwatch.GetTimestamp() - waitStarted);
                }

                (value, mintedAt) = (hint.Value, hint.MintedAt);
            }

            if (Stopwatch.GetElapsedTime(mintedAt) < MaxHintAge)
            {
                return value;
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

    private string Mint(HintMinter minter)
    {
        var minted = Interlocked.Increment(ref _minted);
        var lifetime = (long)Lifetime.TotalSeconds;
        // A thousand distinct users, so the subject varies as in real traffic.
        return minter.Mint(
            payload: lifetime == (long)DefaultLifetime.TotalSeconds ? null : p => p["exp"] = p["iat"]!.GetValue<long>() + lifetime,
            webAuthnId: "bench-user-" + (minted % 1000).ToString(CultureInfo.InvariantCulture));
    }
}
