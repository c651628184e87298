namespace Corbado.Oidc.Server.Login;

/// <summary>Client permissions for the passkey login's entry points beyond the browser flow (docs/login-rules.md §5).</summary>
public static class LoginPermissions
{
    /// <summary>May call the verify API (<c>POST /api/v1/passkey-logins/verify</c>).</summary>
    public const string PasskeyVerification = "ept:passkey_verification";

    /// <summary>Sends requests without a signedPasskeyData to the hosted passkey page (docs/hosted-passkeys.md).</summary>
    public const string HostedPasskeyLogin = "ept:hosted_passkey_login";
}
