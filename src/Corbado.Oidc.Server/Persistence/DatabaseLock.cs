using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Serializes start-up work (migrations, key creation, client seeding) and key rotations across replicas that share one PostgreSQL
/// database: a session-level advisory lock (PostgreSQL manual, "Advisory Locks") taken on a connection of its own and
/// held until disposed. PostgreSQL releases it when that connection ends, so a replica killed while holding it does
/// not block the others. SQLite needs none: the file belongs to one process.
/// </summary>
internal sealed class DatabaseLock : IAsyncDisposable
{
    // Every replica must use the same number; advisory locks are scoped to the database, so other databases on the
    // same server are unaffected. The bytes spell "CorbInit".
    private const long Key = 0x436F7262_496E6974;

    private readonly NpgsqlConnection? _connection;

    private DatabaseLock(NpgsqlConnection? connection) => _connection = connection;

    /// <summary>Waits until no other replica holds the lock, then holds it.</summary>
    public static async Task<DatabaseLock> AcquireAsync(OidcDbContext context, CancellationToken cancellationToken)
    {
        if (!context.Database.IsNpgsql())
        {
            return new DatabaseLock(null);
        }

        // Unpooled: the lock lives as long as this session, and closing it must not touch the server's pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(context.Database.GetConnectionString()) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", Key);
            // Waiting replicas wait for the winner's migration, however long it takes.
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new DatabaseLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is null)
        {
            return;
        }

        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", Key);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            // Closing the unpooled connection ends the session, which releases the lock even if the unlock above failed.
            await _connection.DisposeAsync();
        }
    }
}
