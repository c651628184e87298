using System.Globalization;
using Corbado.Oidc.Server.Diagnostics;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Audit events of administrative changes, by the admin API (actor <c>api</c>) or the command line (actor <c>cli</c>): one
/// event per change, and one per refused admin API call, on the audit category and event id of the login events
/// (<see cref="AuditLog"/>), so one route in the log pipeline takes them all. A user is named by the subject hash of the
/// login events (the same HMAC under <c>Audit:SubjectHashSalt</c>), a client by its id, a key by its kid; never a secret.
/// </summary>
public sealed partial class AdminAudit
{
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SubjectHashes _subjects;

    public AdminAudit(ILoggerFactory loggerFactory, TimeProvider timeProvider, SubjectHashes subjects)
    {
        _logger = loggerFactory.CreateLogger(AuditLog.Category);
        _timeProvider = timeProvider;
        _subjects = subjects;
    }

    /// <summary>A change to a user profile (<c>admin.user_set</c>, <c>admin.user_removed</c>).</summary>
    public void UserChanged(string auditEvent, string actor, string outcome, string subject, string? clientIp = null)
        => Write(auditEvent, actor, outcome, "subject hash " + _subjects.Hash(subject), clientIp);

    /// <summary>A change to a client or a key (<c>admin.client_*</c>, <c>admin.key_*</c>): <paramref name="target"/> is an id.</summary>
    public void Changed(string auditEvent, string actor, string outcome, string target, string? clientIp = null)
        => Write(auditEvent, actor, outcome, target, clientIp);

    private void Write(string auditEvent, string actor, string outcome, string target, string? clientIp)
        => Log(_logger, auditEvent, outcome, actor, target.Length <= 200 ? target : target[..200], clientIp,
            _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));

    [LoggerMessage(EventId = AuditLog.EventId, EventName = "AdminAudit", Level = LogLevel.Information,
        Message = "Audit {AuditEvent}: outcome {Outcome}, actor {Actor}, target {Target}, ip {ClientIp}, at {Time}")]
    private static partial void Log(ILogger logger, string auditEvent, string outcome, string actor, string target, string? clientIp, string time);
}
