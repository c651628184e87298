using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// An issued authorization code. The client holds a 256-bit random handle; the row holds its SHA-256 (a database
/// reader learns no live code) and the encrypted, HMAC-protected code OpenIddict sealed, which only this server can open.
/// </summary>
public sealed class AuthorizationCodeEntry
{
    public required string Key { get; set; }

    /// <summary>The sealed code; emptied at redemption (only the replay check needs the row after that).</summary>
    public required string Payload { get; set; }

    /// <summary>The login's grant id, so a replay of the redeemed code can revoke what it produced.</summary>
    public required string GrantId { get; set; }

    /// <summary>Unix seconds after which the code is refused and the row may be pruned.</summary>
    public long ExpiresAt { get; set; }

    /// <summary>Unix seconds of the one successful redemption; null while unused.</summary>
    public long? RedeemedAt { get; set; }
}
