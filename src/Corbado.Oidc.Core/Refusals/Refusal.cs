using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Core.Refusals;

/// <summary>
/// One reason a login or a grant is refused, with everything that depends on it: the OAuth error each door answers, the
/// HTTP status of a token or verify-API answer, the description a client sees (it reveals nothing), the level of the
/// operator's log line, and the values metrics and the audit trail record. Declared once, in <see cref="Refusals"/>;
/// the doors render from it and never decide an answer of their own.
/// </summary>
/// <param name="Reason">The stable reason code (snake_case): log lines, metric label, audit value, verify-API problem type.</param>
/// <param name="AuthorizationError">The error at the client's redirect URI (OIDC Core §3.1.2.6), or null where /authorize never refuses for it.</param>
/// <param name="TokenError">The error at /token (RFC 6749 §5.2, RFC 8693 §2.2.2), or null where /token never refuses for it.</param>
/// <param name="Status">The HTTP status at /token and at the verify API (RFC 9457 problem).</param>
/// <param name="Description">The <c>error_description</c> (and problem title): short, stable, without secrets.</param>
/// <param name="LogLevel">The level of the operator's log line for this refusal.</param>
/// <param name="ErrorUri">The <c>error_uri</c>, where the answer reproduces one of OpenIddict's (which carry its documentation link).</param>
public sealed record Refusal(string Reason, string? AuthorizationError, string? TokenError, int Status, string Description, LogLevel LogLevel,
    string? ErrorUri = null)
{
    /// <summary>The <c>reason</c> label of <c>corbado_oidc_logins_total</c>: the code itself, a bounded set by construction.</summary>
    public string MetricLabel => Reason;

    /// <summary>The <c>Reason</c> value of the audit event.</summary>
    public string AuditValue => Reason;

    /// <summary>Whether the request may succeed when repeated later: the refusal was not the request's fault.</summary>
    public bool CouldNotCheck => Status == 503;
}
