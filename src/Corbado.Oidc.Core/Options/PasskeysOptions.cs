namespace Corbado.Oidc.Core.Options;

/// <summary>
/// The built-in WebAuthn relying party behind the hosted passkey sign-in and enrolment pages (configuration section
/// <c>Passkeys</c>, docs/hosted-passkeys.md).
/// </summary>
public sealed class PasskeysOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Passkeys";

    /// <summary>
    /// The WebAuthn RP ID (a registrable domain suffix of every origin, WebAuthn Level 3 §5.1.4). Default: the host of
    /// <c>Oidc:Issuer</c>. Set it to a parent domain (<c>example.com</c> for <c>login.example.com</c>) to share passkeys.
    /// </summary>
    public string? RpId { get; set; }

    /// <summary>The origins the browser may report in <c>clientDataJSON</c>. Default: the origin of <c>Oidc:Issuer</c>.</summary>
    public List<string> Origins { get; set; } = [];

    /// <summary>The name authenticators show for this relying party. Default: the RP ID.</summary>
    public string? RpName { get; set; }

    /// <summary>WebAuthn user verification: <c>required</c> (default), <c>preferred</c> or <c>discouraged</c>.</summary>
    public string UserVerification { get; set; } = "required";

    /// <summary>
    /// Allow anyone to enrol a first passkey without an enrolment link (open self sign-up): the hosted sign-in page offers
    /// a new user to create a passkey, which creates a fresh random subject and signs them in. Anyone who reaches the page
    /// can then create accounts. Default false: a first passkey is only enrolled through a link from <c>users enrol</c> or
    /// the enrolment API.
    /// </summary>
    public bool OpenEnrolment { get; set; }

    /// <summary>How long a ceremony's challenge stays usable. Default 5 minutes (WebAuthn's recommended timeout range).</summary>
    public TimeSpan CeremonyLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an authorization request waits on the hosted sign-in page. Default 10 minutes.</summary>
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The values <see cref="UserVerification"/> accepts.</summary>
    public static readonly IReadOnlySet<string> UserVerificationValues = new HashSet<string>(StringComparer.Ordinal) { "required", "preferred", "discouraged" };
}
