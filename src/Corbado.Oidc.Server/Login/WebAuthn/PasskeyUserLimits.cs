using System.Text.Json;
using System.Threading.RateLimiting;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// The per-user limit of the hosted passkey ceremonies (<c>RateLimiting:PasskeyCeremoniesPerUserPerMinute</c>), beside the
/// per-IP limit of the HTTP pipeline: a fixed window per subject, by the rate limiter ASP.NET Core's middleware is built
/// on. A sign-in answer counts against the owner of the passkey it names (an unknown passkey has no user and only meets
/// the per-IP limit, so made-up ids mint no partitions), an enrolment call against the link's user.
/// </summary>
internal sealed class PasskeyUserLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly PasskeyStore _store;
    private readonly PasskeyEnrolmentLinks _links;

    public PasskeyUserLimits(IOptions<RateLimitingOptions> options, PasskeyStore store, PasskeyEnrolmentLinks links)
    {
        _store = store;
        _links = links;
        var limits = options.Value;
        _limiter = !limits.Enabled ? null : PartitionedRateLimiter.Create<string, string>(subject => RateLimitPartition.GetFixedWindowLimiter(subject,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PasskeyCeremoniesPerUserPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Null when a sign-in answer may proceed, else how long its passkey's owner must wait.</summary>
    public async Task<TimeSpan?> TryAcquireForAssertionAsync(JsonElement credential, CancellationToken cancellationToken)
        => _limiter is not null && credential.ValueKind == JsonValueKind.Object && credential.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 and <= 1024 } credentialId && await _store.FindCredentialAsync(credentialId, cancellationToken) is { } stored
                ? Acquire(stored.Subject)
                : null;

    /// <summary>Null when an enrolment call may proceed, else how long the link's user must wait.</summary>
    public async Task<TimeSpan?> TryAcquireForEnrolmentAsync(string? token, CancellationToken cancellationToken)
        => _limiter is not null && await _links.FindSubjectAsync(token, cancellationToken) is { } subject ? Acquire(subject) : null;

    private TimeSpan? Acquire(string subject)
    {
        using var lease = _limiter!.AttemptAcquire(subject);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter?.Dispose();
}
