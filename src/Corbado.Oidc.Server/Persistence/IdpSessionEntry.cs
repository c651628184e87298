namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// An identity-provider session (docs/sessions-and-logout.md): started by a ceremony on the hosted page, held by the
/// browser as a random handle in a cookie, stored here under a hash of that handle (never the handle). Deleted when it
/// ends: logout, revocation, or past its expiry.
/// </summary>
public sealed class IdpSessionEntry
{
    /// <summary>SHA-256 of the cookie's handle, hex.</summary>
    public required string Key { get; set; }

    /// <summary>The session id in ID tokens (<c>sid</c>), random, not derived from the handle.</summary>
    public required string Sid { get; set; }

    public required string Subject { get; set; }

    /// <summary>When the user last ran a ceremony (<c>auth_time</c>), Unix seconds.</summary>
    public long AuthTime { get; set; }

    /// <summary>What the ceremony proved (RFC 8176), space-separated.</summary>
    public required string Amr { get; set; }

    /// <summary>Every client that received a code within the session, space-separated.</summary>
    public required string ClientIds { get; set; }

    public long CreatedAt { get; set; }

    /// <summary>Unix seconds after which the session ends unless used (last use + <c>Sessions:IdleTimeout</c>, capped).</summary>
    public long IdleExpiresAt { get; set; }

    /// <summary>Unix seconds after which the session ends regardless (start + <c>Sessions:AbsoluteLifetime</c>).</summary>
    public long ExpiresAt { get; set; }
}
