namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// The audit trail: one event per passkey login attempt and per token request outcome, on its own category and one
/// event id so a log pipeline can route it (to a SIEM, a longer retention) without parsing messages. The values are
/// codes, ids and hashes; never a hint, a code, a token or a secret.
/// </summary>
internal static partial class AuditLog
{
    /// <summary>The log category of audit events.</summary>
    public const string Category = "Corbado.Oidc.Audit";

    /// <summary>The event id of every audit event.</summary>
    public const int EventId = 4000;

    [LoggerMessage(EventId = EventId, EventName = "Audit", Level = LogLevel.Information,
        Message = "Audit {AuditEvent}: outcome {Outcome}, reason {Reason}, client {ClientId}, grant {GrantType}, subject hash {SubjectHash}, "
            + "kid {KeyId}, jti hash {JtiHash}, ip {ClientIp}, user agent {UserAgent}, at {Time}")]
    public static partial void Write(ILogger logger, string auditEvent, string outcome, string? reason, string? clientId, string? grantType,
        string? subjectHash, string? keyId, string? jtiHash, string? clientIp, string? userAgent, string time);
}
