using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>A consumed single-use key: the SHA-256 of issuer and jti, kept until the hint could no longer be accepted.</summary>
public sealed class ReplayEntry
{
    public required string Key { get; set; }

    /// <summary>Unix seconds after which the row may be pruned.</summary>
    public long ExpiresAt { get; set; }
}
