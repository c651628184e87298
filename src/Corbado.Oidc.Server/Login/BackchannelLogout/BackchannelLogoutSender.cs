using System.Net;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Reasons = Corbado.Oidc.Server.Diagnostics.BackchannelLogoutEvents.Reasons;

namespace Corbado.Oidc.Server.Login.BackchannelLogout;

/// <summary>
/// Back-Channel Logout 1.0 §2.5, delivery: every replica runs one sender that takes due rows of the outbox
/// (<see cref="BackchannelLogoutEntry"/>) and POSTs their logout tokens. A row is claimed by a compare-and-set on its
/// <c>DueAt</c> (moved one lease into the future), so two replicas never hold it at once and a replica that dies holding
/// it hands it over when the lease runs out. 200 and 204 delete it; any other answer, a timeout or a network failure
/// reschedules it with exponential backoff and jitter, until <c>BackchannelLogout:MaxAttempts</c> or
/// <c>BackchannelLogout:MaxAge</c> abandons it. Delivery is at least once: a relying party sees a token twice only when a
/// replica died between the relying party's answer and the row's deletion (the same <c>jti</c> both times).
/// </summary>
public sealed class BackchannelLogoutSender(
    IServiceScopeFactory scopes,
    BackchannelLogoutSignal signal,
    ClientPolicies clients,
    LogoutTokenWriter tokens,
    IHttpClientFactory httpClients,
    BackchannelLogoutEvents events,
    IOptions<BackchannelLogoutOptions> options,
    TimeProvider timeProvider) : BackgroundService
{
    /// <summary>The named HTTP client of deliveries (no redirects followed, no request logging).</summary>
    public const string HttpClientName = "BackchannelLogout";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await DeliverDueAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    events.PassFailed(exception);
                }

                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a claimed row becomes due again when its lease ends, on this replica's restart or another one.
        }
    }

    /// <summary>Delivers every row due now, up to <c>BackchannelLogout:MaxConcurrentDeliveries</c> at a time.</summary>
    public async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var batchSize = settings.MaxConcurrentDeliveries * 4;
        while (true)
        {
            List<BackchannelLogoutEntry> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                due = await scope.ServiceProvider.GetRequiredService<OidcDbContext>().BackchannelLogouts.AsNoTracking()
                    .Where(entry => entry.DueAt <= now).OrderBy(entry => entry.DueAt).Take(batchSize).ToListAsync(cancellationToken);
            }

            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrentDeliveries, CancellationToken = cancellationToken },
                async (entry, token) => await ClaimAndDeliverAsync(entry, token));
            if (due.Count < batchSize)
            {
                return;
            }
        }
    }

    private async Task ClaimAndDeliverAsync(BackchannelLogoutEntry entry, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OidcDbContext>();
        var now = timeProvider.GetUtcNow();
        var lease = now.ToUnixTimeMilliseconds() + (long)settings.LeaseDuration.TotalMilliseconds;
        var observed = entry.DueAt;
        // The claim: one atomic UPDATE that only the first replica to see this DueAt can make.
        if (await context.BackchannelLogouts.Where(e => e.Id == entry.Id && e.DueAt == observed)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.DueAt, lease).SetProperty(e => e.Attempts, e => e.Attempts + 1), cancellationToken) != 1)
        {
            return;
        }

        var attempt = entry.Attempts + 1;
        var held = context.BackchannelLogouts.Where(e => e.Id == entry.Id && e.DueAt == lease);
        if (now - DateTimeOffset.FromUnixTimeMilliseconds(entry.CreatedAt) >= settings.MaxAge)
        {
            await AbandonAsync(held, entry, attempt - 1, Reasons.MaxAge, cancellationToken);
            return;
        }

        if ((await clients.FindAsync(entry.ClientId, cancellationToken))?.BackchannelLogoutUri is not { } uri)
        {
            await AbandonAsync(held, entry, attempt - 1, Reasons.ClientUnregistered, cancellationToken);
            return;
        }

        var (failure, status) = await PostAsync(uri, tokens.Write(entry.Id, entry.ClientId, entry.Subject, entry.Sid, now), cancellationToken);
        if (failure is null)
        {
            // Only while the lease is still ours (it always is: the lease is longer than twice the timeout).
            await held.ExecuteDeleteAsync(CancellationToken.None);
            events.Sent(entry.ClientId, entry.Id, attempt);
            return;
        }

        var retryIn = RetryDelay(attempt);
        var retryAt = timeProvider.GetUtcNow() + retryIn;
        if (attempt >= settings.MaxAttempts || retryAt - DateTimeOffset.FromUnixTimeMilliseconds(entry.CreatedAt) >= settings.MaxAge)
        {
            entry.LastFailure = failure;
            await AbandonAsync(held, entry, attempt, attempt >= settings.MaxAttempts ? Reasons.MaxAttempts : Reasons.MaxAge, CancellationToken.None);
            return;
        }

        await held.ExecuteUpdateAsync(set => set.SetProperty(e => e.DueAt, retryAt.ToUnixTimeMilliseconds()).SetProperty(e => e.LastFailure, failure),
            CancellationToken.None);
        events.Retried(entry.ClientId, entry.Id, attempt, failure, status, retryIn);
    }

    /// <summary>One POST of the logout token (§2.5); null when the relying party took it, else the failure's reason code.</summary>
    private async Task<(string? Failure, int? Status)> PostAsync(Uri uri, string token, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var content = new FormUrlEncodedContent([new("logout_token", token)]);
            using var response = await httpClients.CreateClient(HttpClientName).PostAsync(uri, content, timeout.Token);
            // §2.8: 200 on success; 204 is what some frameworks send instead, and is accepted as well.
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent ? (null, null) : (Reasons.HttpStatus, (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Reasons.Timeout, null);
        }
        catch (HttpRequestException)
        {
            return (Reasons.Network, null);
        }
    }

    private async Task AbandonAsync(IQueryable<BackchannelLogoutEntry> held, BackchannelLogoutEntry entry, int attempts, string reason, CancellationToken cancellationToken)
    {
        await held.ExecuteDeleteAsync(cancellationToken);
        events.Abandoned(entry.ClientId, entry.Id, entry.Subject, attempts, reason, entry.LastFailure);
    }

    /// <summary>
    /// The wait after failed attempt <paramref name="attempt"/>: the initial delay doubled per earlier failure, capped,
    /// then drawn from its upper half ("equal jitter"), so relying parties that come back are not hit by every replica at once.
    /// </summary>
    private TimeSpan RetryDelay(int attempt)
    {
        var settings = options.Value;
        var exponential = settings.InitialRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = exponential < settings.MaxRetryDelay ? exponential : settings.MaxRetryDelay;
        return capped / 2 + capped / 2 * Random.Shared.NextDouble();
    }
}
