using Npgsql;

namespace Corbado.Oidc.Bench;

/// <summary>How much room the server's database takes.</summary>
public static class DatabaseSize
{
    /// <summary>SQLite: the database file plus its -wal and -shm files.</summary>
    public static long Sqlite(string databaseFile) =>
        new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    /// <summary>PostgreSQL: pg_database_size(current_database()).</summary>
    public static async Task<long> PostgreSqlAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
