namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>A signedPasskeyData that passed every check of docs/login-rules.md §2 and whose <c>jti</c> has been consumed.</summary>
/// <param name="Subject">The OIDC subject: the value of the configured subject claim (default <c>webauthnId</c>).</param>
/// <param name="PasskeyUserId">The passkey backend's own user id (the hint's <c>sub</c>), if present.</param>
/// <param name="AuthenticatedAt">When the passkey ceremony happened (the hint's <c>iat</c>).</param>
/// <param name="ExpiresAt">The hint's <c>exp</c>.</param>
/// <param name="KeyId">The <c>kid</c> that signed the hint.</param>
/// <param name="JtiHash">A hash of the hint's issuer and <c>jti</c>, safe to log.</param>
public sealed record VerifiedPasskeyLogin(
    string Subject,
    string? PasskeyUserId,
    DateTimeOffset AuthenticatedAt,
    DateTimeOffset ExpiresAt,
    string KeyId,
    string JtiHash)
{
    /// <summary>The WebAuthn user name, when the backend sent a non-empty one.</summary>
    public string? Username { get; init; }

    /// <summary>The WebAuthn user handle given at enrolment (<c>webauthnId</c>).</summary>
    public string? WebAuthnId { get; init; }

    /// <summary>Which passkey was used (<c>credential</c>).</summary>
    public string? CredentialId { get; init; }

    /// <summary>True when the login came from conditional UI (autofill).</summary>
    public bool IsConditionalUi { get; init; }

    /// <summary>How the passkey was proved (<see cref="LoginMethods"/>): a hint unless a hosted ceremony says otherwise.</summary>
    public string Method { get; init; } = LoginMethods.Hint;
}
