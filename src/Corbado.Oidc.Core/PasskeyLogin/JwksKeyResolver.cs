using System.Collections.Frozen;
using Corbado.Oidc.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>
/// Resolves keys from a JWKS document loaded by a delegate (a file or an HTTP endpoint). The set is cached for
/// <c>cacheDuration</c>, reloaded at most once per <c>refreshInterval</c> when an unknown <c>kid</c> arrives,
/// and kept when a reload fails (stale-if-error) for up to <c>maxStale</c> beyond the cache duration, so an outage of
/// the key endpoint does not stop logins — but a key set nobody can confirm for longer is dropped (fail closed).
/// </summary>
public sealed partial class JwksKeyResolver : IPasskeyKeyResolver
{
    private readonly Func<CancellationToken, Task<string>> _load;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _maxStale;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _source;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly OidcMetrics? _metrics;

    private volatile KeySet? _keySet;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    /// <param name="load">Returns the JWKS JSON document.</param>
    /// <param name="cacheDuration">How long a loaded set is served before it is reloaded.</param>
    /// <param name="refreshInterval">Minimum time between two reloads.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Receives load failures.</param>
    /// <param name="maxStale">How long past the cache duration a set is still served while reloads fail; default 24 hours.</param>
    /// <param name="source">Names the key source in log lines (a URL's host or a file name), never a full URL.</param>
    /// <param name="metrics">Counts each load by result (<c>corbado_oidc_jwks_refreshes_total</c>).</param>
    public JwksKeyResolver(
        Func<CancellationToken, Task<string>> load,
        TimeSpan cacheDuration,
        TimeSpan refreshInterval,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        TimeSpan? maxStale = null,
        string source = "the configured key source",
        OidcMetrics? metrics = null)
    {
        _source = source;
        _metrics = metrics;
        _maxStale = maxStale ?? TimeSpan.FromHours(24);
        _load = load;
        _cacheDuration = cacheDuration;
        _refreshInterval = refreshInterval;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        metrics?.ObservePasskeyKeysAvailable(() => HasKeys);
    }

    /// <inheritdoc />
    public bool HasKeys => Usable(_keySet) is not null;

    /// <summary>When the current key set was loaded, if ever.</summary>
    public DateTimeOffset? LoadedAt => _keySet?.LoadedAt;

    /// <inheritdoc />
    public async ValueTask<SecurityKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var keySet = Usable(_keySet);
        var now = _timeProvider.GetUtcNow();
        if (keySet is null || now - keySet.LoadedAt >= _cacheDuration)
        {
            // Only the very first load skips the rate limit; during an outage forged or real requests never
            // make the server fetch more often than once per refresh interval.
            // Re-read the field, not the local: a concurrent caller may have just loaded the set while this one was
            // rate-limited (seen as a spurious unknown_key for logins racing the very first load).
            keySet = await RefreshAsync(force: _lastAttempt == DateTimeOffset.MinValue, cancellationToken).ConfigureAwait(false) ?? Usable(_keySet);
        }

        if (keySet is not null && keySet.Keys.TryGetValue(keyId, out var key))
        {
            return key;
        }

        // An unknown kid may mean the backend rotated its keys: reload, but rate-limited (docs/login-rules.md §2.1).
        keySet = await RefreshAsync(force: false, cancellationToken).ConfigureAwait(false) ?? Usable(_keySet);
        return keySet is not null && keySet.Keys.TryGetValue(keyId, out key) ? key : null;
    }

    /// <summary>The set, unless it is older than cache duration plus max stale (then nobody has confirmed it for too long).</summary>
    private KeySet? Usable(KeySet? keySet)
        => keySet is not null && _timeProvider.GetUtcNow() - keySet.LoadedAt <= _cacheDuration + _maxStale ? keySet : null;

    /// <summary>Loads the key set unless a load was attempted within the refresh interval. Returns whether keys are usable.</summary>
    public async Task<bool> TryRefreshAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(force: _lastAttempt == DateTimeOffset.MinValue, cancellationToken).ConfigureAwait(false);
        return HasKeys;
    }

    private async Task<KeySet?> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        var before = _lastAttempt;
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _timeProvider.GetUtcNow();
            if (_lastAttempt != before)
            {
                // Another caller reloaded while this one waited.
                return _keySet;
            }

            if (!force && now - _lastAttempt < _refreshInterval)
            {
                return null;
            }

            _lastAttempt = now;
            try
            {
                var json = await _load(cancellationToken).ConfigureAwait(false);
                var keySet = new KeySet(Parse(json), now);
                _keySet = keySet;
                _metrics?.JwksRefreshes.Add(1, new KeyValuePair<string, object?>("result", "success"));
                return keySet;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One warning per attempt, without the stack trace: the operator needs the source and the cause.
                LogLoadFailed(_logger, _source, exception.GetType().Name, exception.Message.ReplaceLineEndings(" "), Usable(_keySet) is not null);
                _metrics?.JwksRefreshes.Add(1, new KeyValuePair<string, object?>("result", "failure"));
                return null;
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Parses a JWKS document into signing keys by kid; keys without a kid or for encryption are skipped.</summary>
    public static FrozenDictionary<string, SecurityKey> Parse(string json)
    {
        var set = new JsonWebKeySet(json);
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var key in set.Keys)
        {
            if (string.IsNullOrEmpty(key.Kid) || key.Use is { Length: > 0 } and not "sig"
                || key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve))
            {
                continue;
            }

            // Only the public half is ever used, even if an operator published a private key by mistake.
            SecurityKey publicKey = key.Kty == JsonWebAlgorithmsKeyTypes.RSA
                ? new JsonWebKey { Kty = key.Kty, Kid = key.Kid, N = key.N, E = key.E, Alg = key.Alg }
                : new JsonWebKey { Kty = key.Kty, Kid = key.Kid, Crv = key.Crv, X = key.X, Y = key.Y, Alg = key.Alg };
            keys.TryAdd(key.Kid, publicKey);
        }

        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Passkey issuer key set could not be loaded from {KeySource} ({ErrorType}: {ErrorMessage}); serving cached keys: {HasCachedKeys}")]
    private static partial void LogLoadFailed(ILogger logger, string keySource, string errorType, string errorMessage, bool hasCachedKeys);

    private sealed record KeySet(FrozenDictionary<string, SecurityKey> Keys, DateTimeOffset LoadedAt);
}
