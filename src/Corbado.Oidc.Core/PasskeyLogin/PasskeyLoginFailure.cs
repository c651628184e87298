namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>Why a signedPasskeyData was refused (docs/login-rules.md §2). The reason codes are stable: logs, metrics and audit use them.</summary>
public enum PasskeyLoginFailure
{
    /// <summary>Not a compact JWS, or its header or payload cannot be read.</summary>
    Malformed,
    /// <summary>Longer than <c>Corbado:MaxHintLength</c>.</summary>
    TooLarge,
    /// <summary>The <c>alg</c> is not in the configured allow-list (this includes <c>none</c> and HMAC).</summary>
    UnsupportedAlg,
    /// <summary>No <c>kid</c>, or a <c>kid</c> the configured key set does not hold.</summary>
    UnknownKey,
    /// <summary>The signature does not verify with the configured key.</summary>
    BadSignature,
    /// <summary>The <c>iss</c> is not the configured project id.</summary>
    WrongIssuer,
    /// <summary>Past <c>exp</c> (plus clock skew).</summary>
    Expired,
    /// <summary>Before <c>nbf</c> or <c>iat</c> (minus clock skew).</summary>
    NotYetValid,
    /// <summary>Issued longer ago than <c>Corbado:MaxAge</c>.</summary>
    TooOld,
    /// <summary>No <c>jti</c>, so single use cannot be enforced.</summary>
    MissingJti,
    /// <summary>The claim configured as <c>Corbado:SubjectClaim</c> is absent or empty.</summary>
    MissingSubject,
    /// <summary>The <c>jti</c> was accepted before.</summary>
    Replayed,
    /// <summary>The passkey backend refused the hint.</summary>
    RemoteRejected,
    /// <summary>The passkey backend could not be asked (timeout, network, circuit open).</summary>
    RemoteUnavailable,
    /// <summary>
    /// No usable key set: the configured key source could not be loaded (unreachable URL, unreadable file) and no
    /// cached set is left. An operator problem, not a bad hint.
    /// </summary>
    KeysUnavailable,
}
