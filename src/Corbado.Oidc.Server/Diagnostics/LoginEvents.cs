using System.Globalization;
using Corbado.Oidc.Core.Diagnostics;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// What the login core reports, one call per outcome, whichever door the request came through: the Prometheus counters
/// and histogram of <see cref="OidcMetrics"/> with bounded labels (<see cref="MetricLabels"/>), one audit event
/// (<see cref="AuditLog"/>) per login attempt and per token request outcome, and for a refusal the operator's log line at
/// the level its <see cref="Refusal"/> gives. An accepted login has no log line besides its audit event.
/// </summary>
public sealed class LoginEvents
{
    /// <summary>Longest user agent kept in an audit event; browsers send about 150 characters, a hostile client anything.</summary>
    public const int MaxUserAgentLength = 256;

    /// <summary>Longest client id or key id kept in an audit event (registered ids are short; others are the caller's input).</summary>
    public const int MaxIdLength = 128;

    /// <summary>The category of the login path's operator log lines (<see cref="ServerLog"/>).</summary>
    public const string LogCategory = "Corbado.Oidc.Server.Login";

    private static readonly KeyValuePair<string, object?> Accepted = new("outcome", "accepted");
    private static readonly KeyValuePair<string, object?> Refused = new("outcome", "refused");
    private static readonly KeyValuePair<string, object?> NoReason = new("reason", "none");

    private readonly OidcMetrics _metrics;
    private readonly MetricLabels _labels;
    private readonly ILogger _audit;
    private readonly ILogger _log;
    private readonly IHttpContextAccessor _httpContext;
    private readonly TimeProvider _timeProvider;
    private readonly SubjectHashes _subjects;

    public LoginEvents(OidcMetrics metrics, MetricLabels labels, ILoggerFactory loggerFactory, IHttpContextAccessor httpContext,
        TimeProvider timeProvider, SubjectHashes subjects)
    {
        _metrics = metrics;
        _labels = labels;
        _audit = loggerFactory.CreateLogger(AuditLog.Category);
        _log = loggerFactory.CreateLogger(LogCategory);
        _httpContext = httpContext;
        _timeProvider = timeProvider;
        _subjects = subjects;
    }

    /// <summary>
    /// One passkey login attempt (at /authorize, token exchange or the verify API): counts
    /// <c>corbado_oidc_logins_total</c>, logs a refusal, and writes one audit event. <paramref name="refusal"/> is null
    /// when the login was accepted; <paramref name="fault"/> is the exception behind an internal error;
    /// <paramref name="method"/> is how the passkey was proved (<see cref="LoginMethods"/>).
    /// </summary>
    public void LoginAttempted(string? clientId, Refusal? refusal, string? subject, string? keyId, string? jtiHash, Exception? fault = null,
        string method = LoginMethods.Hint)
    {
        // Enabled only while a metrics pipeline listens (Management:Port set): no label work otherwise.
        if (_metrics.Logins.Enabled)
        {
            _metrics.Logins.Add(1,
                refusal is null ? Accepted : Refused,
                refusal is null ? NoReason : new("reason", refusal.MetricLabel),
                new("client_id", _labels.Client(clientId)),
                new("method", MetricLabels.Method(method)));
        }

        if (refusal is not null)
        {
            ServerLog.PasskeyLoginRefused(_log, refusal.LogLevel, fault, refusal.Reason, Bounded(clientId, MaxIdLength), Bounded(keyId, MaxIdLength), jtiHash);
        }

        WriteAudit("login", refusal, clientId, grantType: null, subject, keyId, jtiHash, MetricLabels.Method(method));
    }

    /// <summary>
    /// One token request outcome for a passkey grant: counts <c>corbado_oidc_tokens_issued_total</c> when tokens were
    /// issued (<paramref name="refusal"/> null), logs a refusal, and writes one audit event either way.
    /// </summary>
    public void TokenRequestCompleted(string grantType, string? clientId, Refusal? refusal, string? subject)
    {
        if (refusal is null && _metrics.TokensIssued.Enabled)
        {
            _metrics.TokensIssued.Add(1,
                new("grant_type", MetricLabels.GrantType(grantType)),
                new("client_id", _labels.Client(clientId)));
        }

        if (refusal is not null)
        {
            ServerLog.TokenRequestRefused(_log, refusal.LogLevel, refusal.Reason, MetricLabels.GrantType(grantType), Bounded(clientId, MaxIdLength));
        }

        WriteAudit("token", refusal, clientId, grantType, subject, keyId: null, jtiHash: null);
    }

    /// <summary>
    /// A client failed to authenticate at a door that authenticates clients itself: the log line and one audit event
    /// (the token outcome is not counted: no grant was looked at).
    /// </summary>
    public void ClientAuthenticationFailed(string endpoint, string? clientId, Refusal refusal)
    {
        ServerLog.ClientAuthenticationFailed(_log, refusal.LogLevel, refusal.Reason, endpoint, Bounded(clientId, MaxIdLength));
        WriteAudit("client_authentication", refusal, clientId, grantType: null, subject: null, keyId: null, jtiHash: null);
    }

    /// <summary>A redeemed authorization code came back (RFC 6749 §4.1.2): counts <c>corbado_oidc_code_replays_total</c>.</summary>
    public void CodeReplayed(string? clientId)
    {
        ServerLog.AuthorizationCodeReplayed(_log, Bounded(clientId, MaxIdLength));
        _metrics.CodeReplays.Add(1, new KeyValuePair<string, object?>("client_id", _labels.Client(clientId)));
    }

    /// <summary>
    /// How long one step of a login took (<c>corbado_oidc_login_duration_seconds{step}</c>); steps are hint_verification,
    /// remote_verification, code_issue and token.
    /// </summary>
    /// <summary>
    /// An identity-provider session started, ended (logout) or was revoked by an operator: one audit event
    /// (<c>session.started</c>, <c>session.ended</c>, <c>session.revoked</c>) naming the session's <c>sid</c> in the key id slot.
    /// </summary>
    public void SessionChanged(string auditEvent, string? clientId, string subject, string sid)
        => WriteAudit(auditEvent, null, clientId, null, subject, sid, null);

    public void StepCompleted(string step, TimeSpan elapsed)
        => _metrics.LoginDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("step", MetricLabels.Step(step)));

    /// <summary>The subject as a hex HMAC-SHA256 (first 128 bits) under the configured salt: stable, not reversible.</summary>
    public string? HashSubject(string? subject) => _subjects.Hash(subject);

    private void WriteAudit(string auditEvent, Refusal? refusal, string? clientId, string? grantType, string? subject, string? keyId, string? jtiHash,
        string? method = null)
    {
        if (!_audit.IsEnabled(LogLevel.Information))
        {
            return;
        }

        // After UseForwardedHeaders: the client's address as the trusted proxy reported it.
        var connection = _httpContext.HttpContext;
        var userAgent = connection?.Request.Headers.UserAgent.ToString();
        AuditLog.Write(_audit, auditEvent, refusal is null ? "accepted" : "refused", refusal?.AuditValue,
            Bounded(clientId, MaxIdLength), grantType, HashSubject(subject), Bounded(keyId, MaxIdLength), jtiHash,
            connection?.Connection.RemoteIpAddress?.ToString(), Bounded(userAgent, MaxUserAgentLength),
            _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), method);
    }

    /// <summary>
    /// A caller-supplied value cut to <paramref name="length"/>, with control characters replaced: a <c>kid</c> is any JSON
    /// string, and a line break in it must not forge a line in a plain-text log.
    /// </summary>
    private static string? Bounded(string? value, int length)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var bounded = value.Length <= length ? value : value[..length];
        return bounded.AsSpan().ContainsAnyInRange('\0', '\u001f') || bounded.Contains('\u007f')
            ? string.Create(bounded.Length, bounded, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) ? '?' : source[i];
                }
            })
            : bounded;
    }
}
