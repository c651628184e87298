using Corbado.Oidc.Core.Refusals;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// The answer to an authorization request: a code handle, or the refusal a door renders for the redirect URI, or
/// neither: the user must sign in interactively on the hosted passkey page (<see cref="SignInInteractively"/>).
/// <see cref="NewSession"/> is set when the answer started an identity-provider session the door must give the
/// browser (its cookie handle and absolute expiry).
/// </summary>
internal readonly record struct AuthorizationOutcome(string? Code, Refusal? Refusal)
{
    /// <summary>No code and no refusal: the door sends the browser to the hosted page (docs/hosted-passkeys.md).</summary>
    public bool SignInInteractively { get; init; }

    /// <summary>A session started by this answer, for the door to set the session cookie.</summary>
    public (string Handle, DateTimeOffset ExpiresAt)? NewSession { get; init; }

    public static AuthorizationOutcome Interactive => new(null, null) { SignInInteractively = true };
}
