namespace Corbado.Oidc.Core.Options;

/// <summary>A relying party seeded from configuration (<c>Clients:N:…</c>) or registered by the command line.</summary>
public sealed class ClientRegistration
{
    /// <summary>The configuration section holding the list of clients.</summary>
    public const string SectionName = "Clients";

    /// <summary>Required. The client id the relying party sends.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret; stored hashed. Without a secret and without keys the client is public (PKCE then required).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The client's public keys as an inline JWKS document, for <c>private_key_jwt</c> client authentication
    /// (RFC 7523; Okta's and Auth0's "private key" option).
    /// </summary>
    public string? Jwks { get; set; }

    /// <summary>
    /// Where the client publishes its JWKS. It is fetched when the client is registered and at every start-up
    /// (configuration seeding), not per request.
    /// </summary>
    public string? JwksUri { get; set; }

    /// <summary>
    /// Exact redirect URIs (no wildcards, compared exactly). Required, unless the client only calls the verify API
    /// (<see cref="AllowPasskeyVerification"/>) or the passkey link APIs (<see cref="AllowPasskeyEnrolment"/>).
    /// </summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>
    /// Accept HS256 request objects signed with the client secret (Okta's default "request signature" setting). This
    /// keeps an encrypted, recoverable copy of the secret; prefer RS256 request objects with the client's keys.
    /// </summary>
    public bool AllowSymmetricRequestObjects { get; set; }

    /// <summary>A name for people.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Require PKCE (S256) even for this confidential client.</summary>
    public bool RequirePkce { get; set; }

    /// <summary>
    /// May call the verify API (<c>POST /api/v1/passkey-logins/verify</c>) with its secret: a custom backend or an
    /// Auth0 custom-database script that checks a signedPasskeyData itself. Needs a client secret.
    /// </summary>
    public bool AllowPasskeyVerification { get; set; }

    /// <summary>
    /// May ask for single-use passkey enrolment and management links for its users (<c>POST /api/v1/passkey-enrolments</c>,
    /// <c>POST /api/v1/passkey-management-links</c>, docs/hosted-passkeys.md): a relying party's backend that enrols its own
    /// signed-in users. Needs a client secret. Default false.
    /// </summary>
    public bool AllowPasskeyEnrolment { get; set; }

    /// <summary>
    /// May exchange a signedPasskeyData for tokens at /token (RFC 8693 token exchange, docs/native-apps.md): a native
    /// app's backend-for-frontend or a server that authenticates as this client. Needs a client secret or keys.
    /// </summary>
    public bool AllowTokenExchange { get; set; }

    /// <summary>
    /// Audiences (RFC 8693 <c>audience</c>) this client may ask a token exchange for; the access token then names them
    /// in <c>aud</c>. Others are refused with <c>invalid_request</c>.
    /// </summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>Resource indicators (RFC 8707, absolute URIs) this client may ask a token exchange for; also put in <c>aud</c>.</summary>
    public List<string> Resources { get; set; } = [];

    /// <summary>
    /// Issue refresh tokens to this client when it asks for <c>offline_access</c> (rotated at every use, a reuse revokes
    /// the family). Needs a client secret or keys.
    /// </summary>
    public bool AllowRefreshTokens { get; set; }

    /// <summary>This client's refresh-token lifetime; default <c>Oidc:RefreshTokenLifetime</c>.</summary>
    public TimeSpan? RefreshTokenLifetime { get; set; }

    /// <summary>
    /// Without a signedPasskeyData in the request, send the user to the hosted passkey sign-in page instead of answering
    /// <c>login_required</c> (docs/hosted-passkeys.md): for relying parties that cannot add a passkey UI themselves.
    /// </summary>
    public bool HostedPasskeyLogin { get; set; }

    /// <summary>
    /// OpenID Connect Back-Channel Logout 1.0 (<c>backchannel_logout_uri</c>): when an identity-provider session this
    /// client received a code in ends, a signed <c>logout_token</c> is POSTed here. Absolute https URL without a fragment
    /// (http only on loopback, as for redirect URIs).
    /// </summary>
    public string? BackchannelLogoutUri { get; set; }

    /// <summary>
    /// The client needs <c>sid</c> in its logout tokens (<c>backchannel_logout_session_required</c>). Every logout token
    /// of this server carries <c>sid</c>; needs <see cref="BackchannelLogoutUri"/>.
    /// </summary>
    public bool BackchannelLogoutSessionRequired { get; set; }

    /// <summary>
    /// Single sign-on (docs/sessions-and-logout.md): a browser with a valid session gets a code for this client without a
    /// new ceremony. Default: on for <see cref="HostedPasskeyLogin"/> clients, off for others.
    /// </summary>
    public bool? SingleSignOn { get; set; }

    /// <summary>Exact URIs the end-session endpoint may send the browser back to after a logout (RP-Initiated Logout 1.0 §3).</summary>
    public List<string> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>Whether single sign-on applies to this client, its default resolved.</summary>
    public bool EffectiveSingleSignOn => SingleSignOn ?? HostedPasskeyLogin;
}
