namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>
/// How a user proved a passkey login: the <c>method</c> of the audit event and of <c>corbado_oidc_logins_total</c>
/// (a bounded label).
/// </summary>
public static class LoginMethods
{
    /// <summary>A signedPasskeyData from the passkey backend (a <c>login_hint</c>, the token exchange, the verify API).</summary>
    public const string Hint = "hint";

    /// <summary>A WebAuthn ceremony on the hosted passkey page (docs/hosted-passkeys.md).</summary>
    public const string HostedPasskey = "hosted_passkey";

    /// <summary>
    /// The browser's identity-provider session answered (single sign-on, docs/sessions-and-logout.md): no passkey was
    /// proved for this code; the session's last ceremony was.
    /// </summary>
    public const string Session = "session";

    /// <summary>Every method, the label's allow-list.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Hint, HostedPasskey, Session };
}
