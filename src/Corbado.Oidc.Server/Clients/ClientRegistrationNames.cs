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

    /// <summary>May ask for passkey enrolment and management links (<c>POST /api/v1/passkey-enrolments</c>, <c>/api/v1/passkey-management-links</c>).</summary>
    public const string PasskeyEnrolmentPermission = "ept:passkey_enrolment";

    /// <summary>Sends requests without a signedPasskeyData to the hosted passkey page (docs/hosted-passkeys.md).</summary>
    public const string HostedPasskeyLoginPermission = "ept:hosted_passkey_login";

    /// <summary>Single sign-on: a live identity-provider session answers this client's requests (docs/sessions-and-logout.md).</summary>
    public const string SingleSignOnPermission = "ept:single_sign_on";

    /// <summary>The application property holding a client's refresh-token lifetime in seconds.</summary>
    public const string RefreshTokenLifetimeProperty = "corbado:refresh_token_lifetime";

    /// <summary>The application property holding the URL of a client's key set, fetched when needed (<see cref="ClientKeySets"/>).</summary>
    public const string JwksUriProperty = "corbado:jwks_uri";

    /// <summary>The application property holding a client's back-channel logout URI (Back-Channel Logout 1.0 §2.2).</summary>
    public const string BackchannelLogoutUriProperty = "corbado:backchannel_logout_uri";

    /// <summary>The application property holding whether the client requires <c>sid</c> in its logout tokens.</summary>
    public const string BackchannelLogoutSessionRequiredProperty = "corbado:backchannel_logout_session_required";
}
