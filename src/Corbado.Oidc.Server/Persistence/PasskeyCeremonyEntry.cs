namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// A WebAuthn ceremony waiting for the browser's answer: the options sent (with the challenge), bound to the pending
/// request or enrolment link it serves. Kept in the shared database so any replica can finish it, and deleted by the
/// one that does (single use). Keyed by a hash of the ceremony handle.
/// </summary>
public sealed class PasskeyCeremonyEntry
{
    public required string Key { get; set; }

    /// <summary>The key of the <see cref="PasskeyRequestEntry"/> the ceremony serves.</summary>
    public required string RequestKey { get; set; }

    /// <summary><c>authentication</c> or <c>registration</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The options sent to the browser, as JSON.</summary>
    public required string Options { get; set; }

    public long ExpiresAt { get; set; }
}
