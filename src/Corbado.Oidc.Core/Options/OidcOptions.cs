namespace Corbado.Oidc.Core.Options;

/// <summary>The OpenID Provider as relying parties see it (configuration section <c>Oidc</c>).</summary>
public sealed class OidcOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Oidc";

    /// <summary>
    /// Required. The public issuer URL relying parties enter, for example <c>https://login.example.com/</c>.
    /// HTTPS outside Development (TLS at Kestrel or at a proxy); plain http is accepted in Development.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>Authorization code lifetime. Default 60 seconds (RFC 6749 §4.1.2 recommends at most 10 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Access token lifetime. Default 10 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>ID token lifetime. Default 10 minutes.</summary>
    public TimeSpan IdentityTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <c>amr</c> values put in the ID token for a passkey login. Empty means <see cref="DefaultAmr"/>:
    /// <c>pop</c> (proof of possession, RFC 8176) and <c>phr</c> (phishing-resistant), which Okta's
    /// "trust claims from this identity provider" understands.
    /// </summary>
    public List<string> Amr { get; set; } = [];

    /// <summary>The <c>amr</c> used when <see cref="Amr"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultAmr = ["pop", "phr"];

    /// <summary>The <c>acr</c> value of a passkey login. Default <c>urn:corbado:acr:passkey</c>.</summary>
    public string Acr { get; set; } = "urn:corbado:acr:passkey";

    /// <summary>
    /// Accept only draft-ietf-oauth-rfc7523bis client assertions (<c>typ</c> client-authentication+jwt, <c>aud</c> the
    /// issuer). Default false: RFC 7523 / OIDC Core §9 assertions (<c>typ</c> JWT, <c>aud</c> the token endpoint), which
    /// Okta and Auth0 send, are accepted too.
    /// </summary>
    public bool StrictClientAssertions { get; set; }

    /// <summary>
    /// How long a client registration read from the database is reused. A client removed or changed by the command
    /// line or another replica takes effect here within this time. Default 30 seconds; zero disables the cache.
    /// </summary>
    public TimeSpan ClientCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Answer the common login without OpenIddict's per-request pipeline: a query-mode code request with a
    /// <c>login_hint</c> from a client without registered keys, and the redemption of that code with the client's secret
    /// (or by a public client). Everything else, every error before the hint is checked, discovery, the JWKS and
    /// /userinfo stay with OpenIddict. The tokens are the same (OpenIddict's handler, keys and claims). Default true;
    /// false sends every request through OpenIddict (about 2.3× the CPU per login, docs/benchmarks.md).
    /// </summary>
    public bool FastPath { get; set; } = true;

    /// <summary>
    /// How long a refresh token lives, for clients allowed them that asked for <c>offline_access</c> (OIDC Core §11).
    /// Each use rotates it (a new one with a new lifetime); a reused one revokes its whole family. Per client:
    /// <c>Clients:N:RefreshTokenLifetime</c>. Default 14 days.
    /// </summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The amr values in force.</summary>
    public IReadOnlyList<string> EffectiveAmr => Amr.Count == 0 ? DefaultAmr : Amr;
}
