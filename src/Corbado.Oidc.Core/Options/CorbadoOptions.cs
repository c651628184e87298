namespace Corbado.Oidc.Core.Options;

/// <summary>
/// The passkey backend whose signedPasskeyData this server accepts (configuration section <c>Corbado</c>).
/// </summary>
public sealed class CorbadoOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Corbado";

    /// <summary>Algorithms accepted when <see cref="Algorithms"/> is not configured (docs/login-rules.md §2.1).</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256"];

    /// <summary>Asymmetric algorithms that may be configured; <c>none</c> and HMAC never can.</summary>
    public static readonly IReadOnlySet<string> SupportedAlgorithms =
        new HashSet<string>(StringComparer.Ordinal) { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512" };

    /// <summary>
    /// Required. The passkey backend project id (for example <c>pro-7815296293940881620</c>);
    /// a hint's <c>iss</c> must equal it exactly.
    /// </summary>
    public string ProjectId { get; set; } = "";

    /// <summary>
    /// The passkey backend's published key set, fetched over HTTPS, cached and refreshed when a hint names an
    /// unknown <c>kid</c>. Exactly one of <see cref="JwksUrl"/> and <see cref="JwksFile"/> is required.
    /// </summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>A local JWKS file, for offline installations. Exclusive with <see cref="JwksUrl"/>.</summary>
    public string? JwksFile { get; set; }

    /// <summary>
    /// JWS algorithms accepted on a hint. Empty means <see cref="DefaultAlgorithms"/> (RS256).
    /// Only asymmetric algorithms from <see cref="SupportedAlgorithms"/> are allowed.
    /// </summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>Tolerance applied to <c>exp</c>, <c>nbf</c> and <c>iat</c>. Default 60 seconds, at most 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Oldest accepted hint, measured from its <c>iat</c>. Default 5 minutes, at most 1 hour.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The hint claim that becomes the OIDC <c>sub</c>. Default <c>webauthnId</c>, the relying system's own user id.
    /// The hint's own <c>sub</c> is always kept in a separate claim.
    /// </summary>
    public string SubjectClaim { get; set; } = "webauthnId";

    /// <summary>Largest accepted hint, in characters. Default 8192 (a real hint is about 1 KB).</summary>
    public int MaxHintLength { get; set; } = 8192;

    /// <summary>How long a fetched key set is served before it is fetched again. Default 10 minutes.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long past <see cref="JwksCacheDuration"/> a cached key set keeps being used while every refresh fails
    /// (stale-if-error). After that the keys are dropped: logins fail closed and readiness turns false. Default 24 hours.
    /// </summary>
    public TimeSpan JwksMaxStale { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Minimum interval between two fetches triggered by an unknown <c>kid</c>, so forged kids cannot make the
    /// server hammer the key endpoint. Default 30 seconds.
    /// </summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Development only: trust a locally generated passkey-issuer key (see the <c>dev mint-hint</c> command)
    /// instead of the passkey backend. Refused outside the Development environment. <c>appsettings.Development.json</c>
    /// turns it on; an explicit <see cref="JwksUrl"/> or <see cref="JwksFile"/> takes precedence over it.
    /// </summary>
    public bool UseDevelopmentIssuer { get; set; }

    /// <summary>
    /// Whether the development issuer's key is the key source in force: <see cref="UseDevelopmentIssuer"/> with neither
    /// <see cref="JwksUrl"/> nor <see cref="JwksFile"/> set.
    /// </summary>
    public bool DevelopmentIssuerInForce => UseDevelopmentIssuer && JwksUrl is null && string.IsNullOrWhiteSpace(JwksFile);

    /// <summary>Where the development issuer keeps its private key. Default <c>data/dev-passkey-issuer.pem</c>.</summary>
    public string DevelopmentIssuerKeyFile { get; set; } = "data/dev-passkey-issuer.pem";

    /// <summary>
    /// The passkey backend's API base URL (for example <c>https://backendapi.cloud.corbado.io</c>). With
    /// <see cref="ApiSecret"/> it enables remote consumption of every hint (docs/login-rules.md §2.4).
    /// </summary>
    public Uri? BackendApiUrl { get; set; }

    /// <summary>The backend API secret (HTTP Basic password, user = <see cref="ProjectId"/>). Needs the <c>passkeys:verify</c> permission.</summary>
    public string? ApiSecret { get; set; }

    /// <summary>
    /// <c>Local</c> (signature and claims here), <c>Remote</c> (claims here, signature and single use at the backend)
    /// or <c>Both</c>. Unset means <c>Both</c> when <see cref="BackendApiUrl"/> and <see cref="ApiSecret"/> are set,
    /// <c>Local</c> otherwise.
    /// </summary>
    public PasskeyVerificationMode? Verification { get; set; }

    /// <summary>Timeout of one call to the backend; the call is never retried (the hint is single use). Default 3 seconds.</summary>
    public TimeSpan RemoteTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The verification mode in force.</summary>
    public PasskeyVerificationMode EffectiveVerification => Verification
        ?? (BackendApiUrl is not null && !string.IsNullOrEmpty(ApiSecret) ? PasskeyVerificationMode.Both : PasskeyVerificationMode.Local);

    /// <summary>The algorithms in force: <see cref="Algorithms"/>, or <see cref="DefaultAlgorithms"/> when empty.</summary>
    public IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Count == 0 ? DefaultAlgorithms : Algorithms;
}
