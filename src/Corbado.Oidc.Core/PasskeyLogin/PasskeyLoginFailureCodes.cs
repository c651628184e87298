namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>Maps <see cref="PasskeyLoginFailure"/> to its stable snake_case reason code.</summary>
public static class PasskeyLoginFailureCodes
{
    /// <summary>The stable reason code, for example <c>bad_signature</c>.</summary>
    public static string ToReasonCode(this PasskeyLoginFailure failure) => failure switch
    {
        PasskeyLoginFailure.Malformed => "malformed",
        PasskeyLoginFailure.TooLarge => "too_large",
        PasskeyLoginFailure.UnsupportedAlg => "unsupported_alg",
        PasskeyLoginFailure.UnknownKey => "unknown_key",
        PasskeyLoginFailure.BadSignature => "bad_signature",
        PasskeyLoginFailure.WrongIssuer => "wrong_issuer",
        PasskeyLoginFailure.Expired => "expired",
        PasskeyLoginFailure.NotYetValid => "not_yet_valid",
        PasskeyLoginFailure.TooOld => "too_old",
        PasskeyLoginFailure.MissingJti => "missing_jti",
        PasskeyLoginFailure.MissingSubject => "missing_subject",
        PasskeyLoginFailure.Replayed => "replayed",
        PasskeyLoginFailure.RemoteRejected => "remote_rejected",
        PasskeyLoginFailure.RemoteUnavailable => "remote_unavailable",
        PasskeyLoginFailure.KeysUnavailable => "keys_unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}
