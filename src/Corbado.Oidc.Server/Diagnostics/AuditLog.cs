using System.Collections;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// The audit trail: one event per passkey login attempt and per token request outcome, on its own category and one
/// event id so a log pipeline can route it (to a SIEM, a longer retention) without parsing messages. The values are
/// codes, ids and hashes; never a hint, a code, a token or a secret.
/// </summary>
/// <remarks>
/// The values travel as structured state only (<c>State.ClientId</c>, ...), behind a short message
/// (<c>Audit login refused: expired</c>). A message template naming all eleven values would make the JSON console
/// formatter write each of them three times (the message, <c>State.Message</c>, the property) plus the template, on
/// every login: a third of the shipped configuration's logging cost (docs/benchmarks.md).
/// </remarks>
internal static class AuditLog
{
    /// <summary>The log category of audit events.</summary>
    public const string Category = "Corbado.Oidc.Audit";

    /// <summary>The event id of every audit event.</summary>
    public const int EventId = 4000;

    private static readonly EventId Event = new(EventId, "Audit");

    /// <summary>Writes one audit event, when the audit category is enabled at Information.</summary>
    public static void Write(ILogger logger, string auditEvent, string outcome, string? reason, string? clientId, string? grantType,
        string? subjectHash, string? keyId, string? jtiHash, string? clientIp, string? userAgent, string time, string? method = null)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        logger.Log(LogLevel.Information, Event,
            new Entry(auditEvent, outcome, reason, clientId, grantType, subjectHash, keyId, jtiHash, clientIp, userAgent, time, method),
            null, static (entry, _) => entry.ToString());
    }

    /// <summary>The event's state: its fields as key-value pairs (what structured formatters write) and a short message.</summary>
    private sealed class Entry(string auditEvent, string outcome, string? reason, string? clientId, string? grantType, string? subjectHash,
        string? keyId, string? jtiHash, string? clientIp, string? userAgent, string time, string? method) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private string? _message;

        public int Count => 12;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("AuditEvent", auditEvent),
            1 => new("Outcome", outcome),
            2 => new("Reason", reason),
            3 => new("Method", method),
            4 => new("ClientId", clientId),
            5 => new("GrantType", grantType),
            6 => new("SubjectHash", subjectHash),
            7 => new("KeyId", keyId),
            8 => new("JtiHash", jtiHash),
            9 => new("ClientIp", clientIp),
            10 => new("UserAgent", userAgent),
            11 => new("Time", time),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var index = 0; index < Count; index++)
            {
                yield return this[index];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString()
            => _message ??= reason is null ? $"Audit {auditEvent} {outcome}" : $"Audit {auditEvent} {outcome}: {reason}";
    }
}
