namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>Claim names of a signedPasskeyData beyond the registered JWT claims (docs/login-rules.md §2).</summary>
public static class PasskeyHintClaims
{
    /// <summary>The relying system's user id given at passkey enrolment; the default OIDC subject.</summary>
    public const string WebAuthnId = "webauthnId";
    /// <summary>The WebAuthn user name (often empty).</summary>
    public const string Username = "username";
    /// <summary>The passkey credential id (<c>cre-…</c>).</summary>
    public const string Credential = "credential";
    /// <summary>The ceremony's challenge id.</summary>
    public const string ChallengeId = "challengeId";
    /// <summary>The ceremony's process id.</summary>
    public const string ProcessId = "processId";
    /// <summary>True when the login came from conditional UI (autofill).</summary>
    public const string IsConditionalUi = "isCUI";
}
