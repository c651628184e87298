using Corbado.Oidc.Core.Replay;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The database-backed single-use store. One <c>INSERT … ON CONFLICT DO NOTHING</c> against the primary key:
/// atomic across every replica sharing the database, with no read-then-write window.
/// </summary>
public sealed class SqlReplayGuard(PreparedSql sql) : IReplayGuard
{
    private const string Insert = """INSERT INTO "ReplayEntries" ("Key", "ExpiresAt") VALUES (@p0, @p1) ON CONFLICT ("Key") DO NOTHING""";

    /// <inheritdoc />
    public async ValueTask<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        => await sql.ExecuteAsync(Insert, [key, expiresAt.ToUnixTimeSeconds()], cancellationToken) == 1;
}
