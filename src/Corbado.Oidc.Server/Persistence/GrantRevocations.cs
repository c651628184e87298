using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.Replay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Revocation of what a replayed code produced, on the replay table: each login ("grant") carries a random id in its
/// code and access token; a second redemption of the code records <c>revoked|id</c>, which /userinfo checks.
/// </summary>
public sealed class GrantRevocations(
    IReplayGuard replay,
    IDbContextFactory<OidcDbContext> contexts,
    IOptions<OidcOptions> options,
    TimeProvider timeProvider)
{
    private const string RevokedScope = "corbado:revoked-grant";

    /// <summary>Revokes every access token of the grant, for as long as one of them could still be valid.</summary>
    public async ValueTask RevokeAsync(string grantId, CancellationToken cancellationToken)
        => await replay.TryConsumeAsync(ReplayKey.For(RevokedScope, grantId),
            timeProvider.GetUtcNow() + options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(1), cancellationToken);

    public async ValueTask<bool> IsRevokedAsync(string grantId, CancellationToken cancellationToken)
    {
        var key = ReplayKey.For(RevokedScope, grantId);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.ReplayEntries.AnyAsync(entry => entry.Key == key, cancellationToken);
    }
}
