using Corbado.Oidc.Core.Refusals;
using Fido2NetLib;
using Fido2NetLib.Exceptions;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// Reason codes of a refused WebAuthn ceremony, declared in the refusal catalogue (<see cref="Refusals"/>); here the
/// mapping from fido2-net-lib's failures. The browser only learns that the ceremony failed and whether trying again may help.
/// </summary>
internal static class PasskeyRefusals
{
    public static readonly string ChallengeExpired = Refusals.ChallengeExpired.Reason;
    public static readonly string ChallengeReused = Refusals.ChallengeReused.Reason;
    public static readonly string ChallengeMismatch = Refusals.ChallengeMismatch.Reason;
    public static readonly string OriginMismatch = Refusals.OriginMismatch.Reason;
    public static readonly string RpIdMismatch = Refusals.RpIdMismatch.Reason;
    public static readonly string UserVerificationMissing = Refusals.UserVerificationMissing.Reason;
    public static readonly string UserPresenceMissing = Refusals.UserPresenceMissing.Reason;
    public static readonly string BadSignature = Refusals.BadSignature.Reason;
    public static readonly string UnknownCredential = Refusals.UnknownCredential.Reason;
    public static readonly string UserHandleMismatch = Refusals.UserHandleMismatch.Reason;
    public static readonly string SignCountRegressed = Refusals.SignCountRegressed.Reason;
    public static readonly string CredentialExists = Refusals.CredentialExists.Reason;
    public static readonly string MalformedResponse = Refusals.MalformedResponse.Reason;
    public static readonly string RequestInvalid = Refusals.RequestInvalid.Reason;
    public static readonly string EnrolmentInvalid = Refusals.EnrolmentInvalid.Reason;

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
