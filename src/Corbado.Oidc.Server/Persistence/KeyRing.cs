using Microsoft.Extensions.Primitives;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The keys this replica publishes, accepts and signs with, held in memory (a login reads no key from the database)
/// and re-read by <see cref="KeyRingRefresher"/> every <c>Keys:RefreshInterval</c>, so a key added, rotated or
/// retired by another replica or the command line takes effect here without restart. Consumers that build state
/// from the keys (OpenIddict's server options) listen to <see cref="GetChangeToken"/>.
/// </summary>
public sealed class KeyRing(KeyMaterialStore store)
{
    private readonly Lock _gate = new();
    private volatile KeySet? _current;
    private CancellationTokenSource _changed = new();

    /// <summary>The keys as last read (read on first use).</summary>
    public KeySet Current => _current ?? LoadFirst();

    /// <summary>Fires once when the key set changes; ask again for the next change.</summary>
    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    /// <summary>Re-reads the keys; true when they changed (and the change token fired).</summary>
    public bool Reload()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            if (store.Load(_current?.Fingerprint) is not { } loaded)
            {
                return false;
            }

            var first = _current is null;
            _current = loaded;
            if (first)
            {
                return true;
            }

            fired = _changed;
            _changed = new CancellationTokenSource();
        }

        // Outside the lock: listeners rebuild their state and may read Current.
        fired.Cancel();
        fired.Dispose();
        return true;
    }

    private KeySet LoadFirst()
    {
        lock (_gate)
        {
            return _current ??= store.Load();
        }
    }
}
