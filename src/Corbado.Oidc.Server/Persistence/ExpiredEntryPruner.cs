using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Keeps the database bounded by what is still unexpired: removes replay records whose hint can no longer be
/// accepted and expired authorization codes, and lets OpenIddict prune whatever token rows an older version stored.
/// </summary>
public sealed partial class ExpiredEntryPruner(
    IServiceProvider services,
    TimeProvider timeProvider,
    ILogger<ExpiredEntryPruner> logger,
    Core.Diagnostics.OidcMetrics metrics) : BackgroundService
{
    // Every minute: at a few hundred logins/s, five-minute passes let ~100k rows pile up and then deleted them in one
    // long write transaction that stalled logins (docs/benchmarks.md, growth run).
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Rows deleted per statement: short transactions that never hold many row locks, whatever the backlog.</summary>
    public const int BatchSize = 5_000;

    /// <summary>Statements per pass at most (a pass removes up to a million rows; the rest waits for the next minute).</summary>
    private const int MaxBatchesPerPass = 200;

        /// <summary>Tokens younger than this are never pruned, whatever their state (OpenIddict's own safety margin).</summary>
    private static readonly TimeSpan TokenRetention = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await PruneOnceAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPruneFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is not a failure. When another service fails to start (a port in use), the host never calls
            // StopAsync and only disposing it cancels this token; ending normally keeps the host from reporting
            // "BackgroundService failed" after the one-sentence start-up error.
        }
    }

    /// <summary>
    /// One pruning pass, in batches of <paramref name="batchSize"/> rows. Every replica prunes: two replicas deleting
    /// the same rows both succeed (the second finds them gone), and nothing unexpired is touched, so a replay record
    /// never disappears while its hint could still be accepted. Returns the number of replay records and codes removed.
    /// </summary>
    public async Task<int> PruneOnceAsync(CancellationToken cancellationToken, int batchSize = BatchSize)
    {
        var now = timeProvider.GetUtcNow();
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OidcDbContext>();
        var cutoff = now.ToUnixTimeSeconds();
        var replayOnly = await DeleteInBatchesAsync(context.ReplayEntries.Where(e => e.ExpiresAt < cutoff).OrderBy(e => e.ExpiresAt), batchSize, cancellationToken);
        var codes = await DeleteInBatchesAsync(context.AuthorizationCodes.Where(e => e.ExpiresAt < cutoff).OrderBy(e => e.ExpiresAt), batchSize, cancellationToken);
        // Abandoned hosted-passkey ceremonies, sign-in requests and enrolment links.
        var passkeyState = await DeleteInBatchesAsync(context.PasskeyCeremonies.Where(e => e.ExpiresAt < cutoff).OrderBy(e => e.ExpiresAt), batchSize, cancellationToken)
            + await DeleteInBatchesAsync(context.PasskeyRequests.Where(e => e.ExpiresAt < cutoff).OrderBy(e => e.ExpiresAt), batchSize, cancellationToken);
        // Identity-provider sessions past their lifetime or idle expiry (ended ones are deleted when they end).
        var sessions = await DeleteInBatchesAsync(context.IdpSessions.Where(e => e.ExpiresAt < cutoff || e.IdleExpiresAt < cutoff).OrderBy(e => e.ExpiresAt),
            batchSize, cancellationToken);

        var tokens = await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(now - TokenRetention, cancellationToken);
        var authorizations = await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(now - TokenRetention, cancellationToken);
        CountPruned("replay_entries", replayOnly);
        CountPruned("authorization_codes", codes);
        CountPruned("passkey_ceremonies", passkeyState);
        CountPruned("idp_sessions", sessions);
        CountPruned("openiddict_tokens", tokens);
        CountPruned("openiddict_authorizations", authorizations);
        var replay = replayOnly + codes;
        LogPruned(logger, replay, tokens, authorizations);
        return replay;
    }

    private void CountPruned(string table, long rows) => metrics.PrunedRows.Add(rows, new KeyValuePair<string, object?>("table", table));

    private static async Task<int> DeleteInBatchesAsync<T>(IQueryable<T> expired, int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            var deleted = await expired.Take(batchSize).ExecuteDeleteAsync(cancellationToken);
            total += deleted;
            if (deleted < batchSize)
            {
                break;
            }
        }

        return total;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Pruned {ReplayEntries} replay records and codes, {Tokens} tokens, {Authorizations} authorizations")]
    private static partial void LogPruned(ILogger logger, int replayEntries, long tokens, long authorizations);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Pruning failed; it will be retried")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
