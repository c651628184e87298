using Fido2NetLib;
using Fido2NetLib.Exceptions;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// Reason codes of a refused WebAuthn ceremony (audited, and the metric's bounded <c>reason</c> label). The browser only
/// learns that the ceremony failed and whether trying again may help.
/// </summary>
internal static class PasskeyRefusals
{
    public const string ChallengeExpired = "challenge_expired";
    public const string ChallengeReused = "challenge_reused";
    public const string ChallengeMismatch = "challenge_mismatch";
    public const string OriginMismatch = "origin_mismatch";
    public const string RpIdMismatch = "rp_id_mismatch";
    public const string UserVerificationMissing = "user_verification_missing";
    public const string UserPresenceMissing = "user_presence_missing";
    public const string BadSignature = "bad_signature";
    public const string UnknownCredential = "unknown_credential";
    public const string UserHandleMismatch = "user_handle_mismatch";
    public const string SignCountRegressed = "sign_count_regressed";
    public const string CredentialExists = "credential_exists";
    public const string MalformedResponse = "malformed_response";
    public const string RequestInvalid = "request_invalid";
    public const string EnrolmentInvalid = "enrolment_invalid";

    /// <summary>Every reason code, for checks that docs and metrics name only these.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        ChallengeExpired, ChallengeReused, ChallengeMismatch, OriginMismatch, RpIdMismatch, UserVerificationMissing, UserPresenceMissing,
        BadSignature, UnknownCredential, UserHandleMismatch, SignCountRegressed, CredentialExists, MalformedResponse, RequestInvalid, EnrolmentInvalid,
    ];

    /// <summary>The reason code of a fido2-net-lib verification failure.</summary>
    public static string For(Fido2VerificationException exception) => exception.Code switch
    {
        Fido2ErrorCode.InvalidAuthenticatorResponseOrigin or Fido2ErrorCode.MissingAuthenticatorResponseOrigin
            or Fido2ErrorCode.InvalidAuthenticatorResponseTopOrigin => OriginMismatch,
        Fido2ErrorCode.InvalidAuthenticatorResponseChallenge or Fido2ErrorCode.MissingAuthenticatorResponseChallenge => ChallengeMismatch,
        Fido2ErrorCode.InvalidRpidHash => RpIdMismatch,
        Fido2ErrorCode.UserVerificationRequirementNotMet => UserVerificationMissing,
        Fido2ErrorCode.UserPresentFlagNotSet => UserPresenceMissing,
        Fido2ErrorCode.InvalidSignature => BadSignature,
        Fido2ErrorCode.InvalidSignCount => SignCountRegressed,
        Fido2ErrorCode.NonUniqueCredentialId => CredentialExists,
        _ => MalformedResponse,
    };
}
