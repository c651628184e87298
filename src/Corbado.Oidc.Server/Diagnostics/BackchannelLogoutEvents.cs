using System.Globalization;
using Corbado.Oidc.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// What the back-channel logout sender reports: <c>corbado_oidc_backchannel_logouts_total{outcome, reason, client_id}</c>
/// (bounded labels: outcomes and reasons from the fixed sets below, client ids through <see cref="MetricLabels"/>), a log
/// line per outcome with a fixed event id, and an audit event when a delivery is abandoned. Never the logout token or the
/// relying party's URL (a URL may carry a credential in its query).
/// </summary>
public sealed partial class BackchannelLogoutEvents(OidcMetrics metrics, MetricLabels labels, LoginEvents loginEvents, ILoggerFactory loggerFactory, TimeProvider timeProvider)
{
    /// <summary>The category of the sender's log lines.</summary>
    public const string LogCategory = "Corbado.Oidc.Server.BackchannelLogout";

    /// <summary>Why a delivery attempt failed or a delivery was abandoned (the <c>reason</c> label and log value).</summary>
    public static class Reasons
    {
        /// <summary>Delivered: the relying party answered 200 or 204.</summary>
        public const string None = "none";

        /// <summary>The relying party answered another status (a 400 is its own refusal, §2.8; 5xx and 3xx count too).</summary>
        public const string HttpStatus = "http_status";

        /// <summary>No answer within <c>BackchannelLogout:Timeout</c>.</summary>
        public const string Timeout = "timeout";

        /// <summary>The connection failed (refused, reset, DNS, TLS).</summary>
        public const string Network = "network";

        /// <summary>The client was removed or no longer has a back-channel logout URI.</summary>
        public const string ClientUnregistered = "client_unregistered";

        /// <summary>Abandoned after <c>BackchannelLogout:MaxAttempts</c> attempts.</summary>
        public const string MaxAttempts = "max_attempts";

        /// <summary>Abandoned because the logout is older than <c>BackchannelLogout:MaxAge</c>.</summary>
        public const string MaxAge = "max_age";
    }

    private readonly ILogger _log = loggerFactory.CreateLogger(LogCategory);
    private readonly ILogger _audit = loggerFactory.CreateLogger(AuditLog.Category);

    /// <summary>The relying party took the logout token.</summary>
    public void Sent(string clientId, string jti, int attempt)
    {
        Count("sent", Reasons.None, clientId);
        LogSent(_log, clientId, jti, attempt);
    }

    /// <summary>An attempt failed; another follows after <paramref name="retryIn"/>.</summary>
    public void Retried(string clientId, string jti, int attempt, string reason, int? status, TimeSpan retryIn)
    {
        Count("retried", reason, clientId);
        LogRetried(_log, clientId, jti, attempt, reason, status, retryIn);
    }

    /// <summary>The delivery is given up: counted, logged as a warning and audited.</summary>
    public void Abandoned(string clientId, string jti, string subject, int attempts, string reason, string? lastFailure)
    {
        Count("abandoned", reason, clientId);
        LogAbandoned(_log, clientId, jti, attempts, reason, lastFailure);
        AuditLog.Write(_audit, "backchannel_logout", "abandoned", reason, clientId, grantType: null, loginEvents.HashSubject(subject), keyId: null,
            jtiHash: jti, clientIp: null, userAgent: null, timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
    }

    /// <summary>A pass of the sender failed (the database away); the next poll tries again.</summary>
    public void PassFailed(Exception exception) => LogPassFailed(_log, exception);

    private void Count(string outcome, string reason, string clientId)
    {
        if (metrics.BackchannelLogouts.Enabled)
        {
            metrics.BackchannelLogouts.Add(1, new("outcome", outcome), new("reason", reason), new("client_id", labels.Client(clientId)));
        }
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Back-channel logout delivered: client {ClientId}, jti {Jti}, attempt {Attempt}")]
    private static partial void LogSent(ILogger logger, string clientId, string jti, int attempt);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning,
        Message = "Back-channel logout attempt failed: reason {Reason}, status {Status}, client {ClientId}, jti {Jti}, attempt {Attempt}; next attempt in {RetryIn}")]
    private static partial void LogRetried(ILogger logger, string clientId, string jti, int attempt, string reason, int? status, TimeSpan retryIn);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning,
        Message = "Back-channel logout abandoned: reason {Reason}, last failure {LastFailure}, client {ClientId}, jti {Jti}, after {Attempts} attempts")]
    private static partial void LogAbandoned(ILogger logger, string clientId, string jti, int attempts, string reason, string? lastFailure);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error, Message = "Back-channel logout sender pass failed; the next poll tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
