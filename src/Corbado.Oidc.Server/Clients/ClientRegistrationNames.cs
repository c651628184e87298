namespace Corbado.Oidc.Server.Clients;

/// <summary>
/// What this server stores in an OpenIddict application beyond OpenIddict's own fields: a permission for the verify API
/// and the properties of the client's policy (docs/login-rules.md §5). Written by the registration, read only by
/// <see cref="ClientPolicy"/>.
/// </summary>
public static class ClientRegistrationNames
{
    /// <summary>May call the verify API (<c>POST /api/v1/passkey-logins/verify</c>).</summary>
    public const string PasskeyVerificationPermission = "ept:passkey_verification";

    /// <summary>Sends requests without a signedPasskeyData to the hosted passkey page (docs/hosted-passkeys.md).</summary>
    public const string HostedPasskeyLoginPermission = "ept:hosted_passkey_login";

    /// <summary>Single sign-on: a live identity-provider session answers this client's requests (docs/sessions-and-logout.md).</summary>
    public const string SingleSignOnPermission = "ept:single_sign_on";

    /// <summary>The application property holding a client's refresh-token lifetime in seconds.</summary>
    public const string RefreshTokenLifetimeProperty = "corbado:refresh_token_lifetime";
}
