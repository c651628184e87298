using System.Collections.Frozen;
using Corbado.Oidc.Core.PasskeyLogin;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Core.Refusals;

/// <summary>
/// The catalogue of refusals (docs/login-rules.md §6): every reason code once, with its answer at each door. A hint is
/// refused as <c>access_denied</c> at /authorize, <c>invalid_grant</c> at token exchange and 400 at the verify API; a hint
/// that could not be checked for a reason that is not the hint's (the passkey backend, its key set, our database) is
/// <c>temporarily_unavailable</c> at /authorize (OIDC Core §3.1.2.6, RFC 6749 §4.1.2.1), <c>temporarily_unavailable</c>
/// with 503 at /token, and 503 at the verify API, so a caller can tell "try later" from "this proof is bad".
/// </summary>
public static class Refusals
{
    private const string AccessDenied = "access_denied";
    private const string LoginRequired = "login_required";
    private const string TemporarilyUnavailable = "temporarily_unavailable";
    private const string InvalidGrant = "invalid_grant";
    private const string InvalidRequest = "invalid_request";
    private const string InvalidClient = "invalid_client";
    private const string UnauthorizedClient = "unauthorized_client";

    private const string HintRefused = "The passkey login could not be verified.";
    private const string CouldNotCheck = "The passkey login cannot be verified right now; try again.";

    // The hint's own refusals (SPEC §2): the reason codes are the verifier's (PasskeyLoginFailureCodes).
    public static readonly Refusal Malformed = Hint(PasskeyLoginFailure.Malformed);
    public static readonly Refusal TooLarge = Hint(PasskeyLoginFailure.TooLarge);
    public static readonly Refusal UnsupportedAlg = Hint(PasskeyLoginFailure.UnsupportedAlg);
    public static readonly Refusal UnknownKey = Hint(PasskeyLoginFailure.UnknownKey);
    public static readonly Refusal BadSignature = Hint(PasskeyLoginFailure.BadSignature);
    public static readonly Refusal WrongIssuer = Hint(PasskeyLoginFailure.WrongIssuer);
    public static readonly Refusal Expired = Hint(PasskeyLoginFailure.Expired);
    public static readonly Refusal NotYetValid = Hint(PasskeyLoginFailure.NotYetValid);
    public static readonly Refusal TooOld = Hint(PasskeyLoginFailure.TooOld);
    public static readonly Refusal MissingJti = Hint(PasskeyLoginFailure.MissingJti);
    public static readonly Refusal MissingSubject = Hint(PasskeyLoginFailure.MissingSubject);
    public static readonly Refusal Replayed = Hint(PasskeyLoginFailure.Replayed);
    public static readonly Refusal RemoteRejected = Hint(PasskeyLoginFailure.RemoteRejected);

    // Could not be checked: not the hint's fault, so never access_denied (the user may try again).
    public static readonly Refusal RemoteUnavailable = Unavailable(PasskeyLoginFailure.RemoteUnavailable.ToReasonCode(), LogLevel.Warning);
    public static readonly Refusal KeysUnavailable = Unavailable(PasskeyLoginFailure.KeysUnavailable.ToReasonCode(), LogLevel.Warning);
    public static readonly Refusal InternalError = Unavailable("internal_error", LogLevel.Error);

    // The authorization request itself (OIDC Core §3.1.2.6).
    public static readonly Refusal MissingHint = new("missing_hint", LoginRequired, null, 400, "A passkey login is required.", LogLevel.Information);
    public static readonly Refusal MaxAgeExceeded = new("max_age_exceeded", LoginRequired, null, 400, "The passkey login is older than max_age allows.", LogLevel.Information);

    // The identity provider's session (OIDC Core §3.1.2.1, docs/sessions-and-logout.md).
    public static readonly Refusal NoSession = new("no_session", LoginRequired, null, 400, "The user is not signed in.", LogLevel.Information);
    public static readonly Refusal SessionUserMismatch = new("session_user_mismatch", LoginRequired, null, 400,
        "The user signed in is not the one id_token_hint names.", LogLevel.Information);
    public static readonly Refusal InvalidIdTokenHint = new("invalid_id_token_hint", InvalidRequest, null, 400,
        "The id_token_hint is not an ID token this provider issued to the client.", LogLevel.Information);

    // The verify API's caller named another user than the hint's (docs/auth0-custom-db.md).
    public static readonly Refusal SubjectMismatch = new("subject_mismatch", null, null, 400, "The passkey login is for another user.", LogLevel.Warning);

    // Client authentication, at every door that authenticates a client itself (RFC 6749 §5.2).
    // Answered by the fast door exactly as OpenIddict answers a wrong secret (its message ID2055), and compared with it by
    // DoorEquivalenceTests.
    public static readonly Refusal InvalidClientSecret = new(InvalidClient, null, InvalidClient, 401, "The specified client credentials are invalid.",
        LogLevel.Information, "https://documentation.openiddict.com/errors/ID2055");
    public static readonly Refusal ClientNotPermitted = new(UnauthorizedClient, null, UnauthorizedClient, 403, "The client is not allowed to use this endpoint.", LogLevel.Information);

    // Codes (RFC 6749 §4.1.3, RFC 7636 §4.6).
    public static readonly Refusal InvalidCode = Token("invalid_code", InvalidGrant, "The authorization code is invalid or has expired.");
    public static readonly Refusal CodeReplayed = Token("code_replayed", InvalidGrant, "The authorization code has already been redeemed.", LogLevel.Warning);
    public static readonly Refusal ClientMismatch = Token("client_mismatch", InvalidGrant, "The authorization code was issued to another client.", LogLevel.Warning);
    public static readonly Refusal MissingRedirectUri = Token("missing_redirect_uri", InvalidRequest, "The mandatory 'redirect_uri' parameter is missing.");
    public static readonly Refusal RedirectUriMismatch = Token("redirect_uri_mismatch", InvalidGrant, "The redirect_uri does not match the authorization request.");
    public static readonly Refusal CodeVerifierMissing = Token("code_verifier_missing", InvalidRequest, "The mandatory 'code_verifier' parameter is missing.");
    public static readonly Refusal CodeVerifierUnexpected = Token("code_verifier_unexpected", InvalidRequest,
        "The 'code_verifier' parameter is not allowed: the authorization request had no code_challenge.");
    public static readonly Refusal PkceMismatch = Token("pkce_mismatch", InvalidGrant, "The code_verifier does not match the code_challenge.", LogLevel.Warning);

    // Refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2).
    public static readonly Refusal InvalidRefreshToken = Token("invalid_refresh_token", InvalidGrant, "The refresh token is invalid, expired or revoked.");
    public static readonly Refusal RefreshTokenReused = Token("refresh_token_reused", InvalidGrant, "The refresh token was used before; its grant is revoked.", LogLevel.Warning);

    // A ceremony on the hosted passkey page (docs/hosted-passkeys.md), answered on the page (the user may try again or
    // cancel), never at the redirect URI; a cancel is access_denied there. The signature check's refusal is BadSignature.
    public static readonly Refusal ChallengeExpired = Ceremony("challenge_expired", "The passkey ceremony took too long.");
    public static readonly Refusal ChallengeReused = Ceremony("challenge_reused", "The passkey ceremony was already answered.");
    public static readonly Refusal ChallengeMismatch = Ceremony("challenge_mismatch", "The passkey answered another ceremony.");
    public static readonly Refusal OriginMismatch = Ceremony("origin_mismatch", "The passkey ceremony ran on another origin.");
    public static readonly Refusal RpIdMismatch = Ceremony("rp_id_mismatch", "The passkey is for another relying party.");
    public static readonly Refusal UserVerificationMissing = Ceremony("user_verification_missing", "The authenticator did not verify the user.");
    public static readonly Refusal UserPresenceMissing = Ceremony("user_presence_missing", "The authenticator did not confirm the user's presence.");
    public static readonly Refusal UnknownCredential = Ceremony("unknown_credential", "The passkey is not registered here.");
    public static readonly Refusal UserHandleMismatch = Ceremony("user_handle_mismatch", "The passkey belongs to another user.");
    public static readonly Refusal SignCountRegressed = Ceremony("sign_count_regressed", "The authenticator's counter went back: a cloned passkey?");
    public static readonly Refusal CredentialExists = Ceremony("credential_exists", "This passkey is already registered.");
    public static readonly Refusal MalformedResponse = Ceremony("malformed_response", "The authenticator's answer could not be read.");
    public static readonly Refusal RequestInvalid = Ceremony("request_invalid", "The sign-in request is unknown, expired or already answered.");
    public static readonly Refusal EnrolmentInvalid = Ceremony("enrolment_invalid", "The enrolment link is unknown, expired or already used.");
    public static readonly Refusal Cancelled = new("cancelled", AccessDenied, null, 400, "The user cancelled the passkey sign-in.", LogLevel.Information);

    /// <summary>Every refusal by reason code.</summary>
    public static readonly FrozenDictionary<string, Refusal> All = new[]
    {
        Malformed, TooLarge, UnsupportedAlg, UnknownKey, BadSignature, WrongIssuer, Expired, NotYetValid, TooOld, MissingJti,
        MissingSubject, Replayed, RemoteRejected, RemoteUnavailable, KeysUnavailable, InternalError, MissingHint, MaxAgeExceeded,
        SubjectMismatch, InvalidClientSecret, ClientNotPermitted, InvalidCode, CodeReplayed, ClientMismatch, MissingRedirectUri,
        RedirectUriMismatch, CodeVerifierMissing, CodeVerifierUnexpected, PkceMismatch, InvalidRefreshToken, RefreshTokenReused,
        ChallengeExpired, ChallengeReused, ChallengeMismatch, OriginMismatch, RpIdMismatch, UserVerificationMissing, UserPresenceMissing,
        UnknownCredential, UserHandleMismatch, SignCountRegressed, CredentialExists, MalformedResponse, RequestInvalid, EnrolmentInvalid, Cancelled,
        NoSession, SessionUserMismatch, InvalidIdTokenHint,
    }.ToFrozenDictionary(refusal => refusal.Reason, StringComparer.Ordinal);

    /// <summary>The refusal of a hint the verifier refused.</summary>
    public static Refusal For(PasskeyLoginFailure failure) => failure switch
    {
        PasskeyLoginFailure.Malformed => Malformed,
        PasskeyLoginFailure.TooLarge => TooLarge,
        PasskeyLoginFailure.UnsupportedAlg => UnsupportedAlg,
        PasskeyLoginFailure.UnknownKey => UnknownKey,
        PasskeyLoginFailure.BadSignature => BadSignature,
        PasskeyLoginFailure.WrongIssuer => WrongIssuer,
        PasskeyLoginFailure.Expired => Expired,
        PasskeyLoginFailure.NotYetValid => NotYetValid,
        PasskeyLoginFailure.TooOld => TooOld,
        PasskeyLoginFailure.MissingJti => MissingJti,
        PasskeyLoginFailure.MissingSubject => MissingSubject,
        PasskeyLoginFailure.Replayed => Replayed,
        PasskeyLoginFailure.RemoteRejected => RemoteRejected,
        PasskeyLoginFailure.RemoteUnavailable => RemoteUnavailable,
        PasskeyLoginFailure.KeysUnavailable => KeysUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };

    private static Refusal Hint(PasskeyLoginFailure failure)
        => new(failure.ToReasonCode(), AccessDenied, InvalidGrant, 400, HintRefused, LogLevel.Warning);

    private static Refusal Unavailable(string reason, LogLevel level)
        => new(reason, TemporarilyUnavailable, TemporarilyUnavailable, 503, CouldNotCheck, level);

    private static Refusal Ceremony(string reason, string description) => new(reason, null, null, 400, description, LogLevel.Warning);

    private static Refusal Token(string reason, string error, string description, LogLevel level = LogLevel.Information)
        => new(reason, null, error, 400, description, level);
}
