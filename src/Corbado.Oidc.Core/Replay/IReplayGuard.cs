namespace Corbado.Oidc.Core.Replay;

/// <summary>The single-use contract (docs/login-rules.md §2.3): a key is accepted once, ever, across every replica.</summary>
public interface IReplayGuard
{
    /// <summary>
    /// Records <paramref name="key"/> atomically. Returns <c>true</c> the first time a key is seen and
    /// <c>false</c> for every later attempt. The record may be forgotten after <paramref name="expiresAt"/>,
    /// when the token it protects can no longer be accepted anyway.
    /// </summary>
    ValueTask<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
