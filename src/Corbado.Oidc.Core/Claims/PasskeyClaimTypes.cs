namespace Corbado.Oidc.Core.Claims;

/// <summary>Claim types this provider adds to its tokens beyond the OIDC standard ones.</summary>
public static class PasskeyClaimTypes
{
    /// <summary>The passkey backend's own user id (the hint's <c>sub</c>), kept apart from the OIDC <c>sub</c>.</summary>
    public const string PasskeyUserId = "passkey_sub";

    /// <summary>The passkey credential used for the login.</summary>
    public const string PasskeyCredential = "passkey_credential";
}
