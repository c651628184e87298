using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>The audit trail (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Audit";

    /// <summary>
    /// Required outside Development, at least 32 characters, the same on every replica and kept across restarts: the
    /// HMAC key of the subject hash in audit events, so an operator who knows a user's subject can find that user's
    /// events (compute it with <c>corbado-oidc</c>'s formula in docs/operations.md) while a leaked log does not name
    /// users. Development generates one per process when unset.
    /// </summary>
    public string? SubjectHashSalt { get; set; }
}
