using System.Collections.Concurrent;

namespace Corbado.Oidc.Core.Replay;

/// <summary>A process-local <see cref="IReplayGuard"/>, for unit tests and single-process tools.</summary>
public sealed class InMemoryReplayGuard : IReplayGuard
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <param name="timeProvider">The clock used to forget expired keys.</param>
    public InMemoryReplayGuard(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>How many keys are remembered.</summary>
    public int Count => _seen.Count;

    /// <inheritdoc />
    public ValueTask<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var entry in _seen)
        {
            if (entry.Value < now)
            {
                _seen.TryRemove(entry);
            }
        }

        return ValueTask.FromResult(_seen.TryAdd(key, expiresAt));
    }
}
