using Corbado.Oidc.Core.Replay;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The database-backed single-use store. One <c>INSERT … ON CONFLICT DO NOTHING</c> against the primary key:
/// atomic across every replica sharing the database, with no read-then-write window.
/// </summary>
public sealed class EfReplayGuard(IDbContextFactory<OidcDbContext> contexts) : IReplayGuard
{
    /// <inheritdoc />
    public async ValueTask<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var inserted = await context.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO \"ReplayEntries\" (\"Key\", \"ExpiresAt\") VALUES ({key}, {expiresAt.ToUnixTimeSeconds()}) ON CONFLICT (\"Key\") DO NOTHING",
            cancellationToken);
        return inserted == 1;
    }
}
