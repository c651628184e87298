using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Re-reads the keys every <c>Keys:RefreshInterval</c> (bounded by its validator), and, when
/// <c>Keys:AutomaticRotationInterval</c> is set, starts a rotation once the signing key is that old (one replica
/// does it: the rotation re-checks under the <see cref="DatabaseLock"/>). A failed read keeps the keys in memory:
/// logins go on while the database is unreachable.
/// </summary>
public sealed partial class KeyRingRefresher(
    KeyRing ring,
    KeyMaterialStore store,
    IOptions<KeysOptions> options,
    TimeProvider timeProvider,
    ILogger<KeyRingRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.RefreshInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshOnceAsync(settings, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is not a failure (as in ExpiredEntryPruner): when the host fails to start (a port in use), only
            // disposing it cancels this token, and ending normally keeps "BackgroundService failed" out of the output.
        }
    }

    private async Task RefreshOnceAsync(KeysOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            if (settings.AutomaticRotationInterval is { } interval
                && await store.RotateIfDueAsync(interval, stoppingToken) is { Count: > 0 } added)
            {
                LogRotationStarted(logger, string.Join(' ', added.Select(k => k.Id)));
            }

            if (ring.Reload())
            {
                LogKeysReloaded(logger, string.Join(' ', ring.Current.Keys.Select(k => $"{k.Id}:{k.StateAt(timeProvider.GetUtcNow().ToUnixTimeSeconds())}")));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRefreshFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Server keys reloaded: {Keys}")]
    private static partial void LogKeysReloaded(ILogger logger, string keys);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Server keys could not be re-read; the keys in memory stay in use")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Automatic key rotation started: {Keys}")]
    private static partial void LogRotationStarted(ILogger logger, string keys);
}
