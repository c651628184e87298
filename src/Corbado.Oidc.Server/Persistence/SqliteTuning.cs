using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// SQLite settings for a server with concurrent requests. The database runs in WAL mode (set once by
/// <see cref="DatabaseInitializer"/>; it persists in the file) so readers never wait for the writer; every connection
/// waits inside SQLite for a busy lock instead of failing, and uses <c>Database:SqliteSynchronous</c>:
/// <c>Normal</c> (default) fsyncs at checkpoints, losing nothing on a process crash and at most the last commits on
/// power loss; <c>Full</c> fsyncs every commit.
/// </summary>
public sealed class SqliteTuning(string synchronous) : DbConnectionInterceptor
{
    public const string WalPragma = "PRAGMA journal_mode=WAL;";

    private readonly string _pragmas = $"PRAGMA synchronous={synchronous.ToUpperInvariant()}; PRAGMA busy_timeout=10000;";

    /// <summary>Whether <c>Database:SqliteSynchronous</c> names a supported mode (empty means Normal).</summary>
    public static bool IsValidSetting(string? synchronous) => synchronous?.ToUpperInvariant() is null or "" or "NORMAL" or "FULL";

    public static SqliteTuning FromSetting(string? synchronous) => synchronous?.ToUpperInvariant() switch
    {
        null or "" or "NORMAL" => new SqliteTuning("NORMAL"),
        "FULL" => new SqliteTuning("FULL"),
        _ => throw new InvalidOperationException($"Database:SqliteSynchronous is '{synchronous}'; allowed are Normal and Full."),
    };

    // Microsoft.Data.Sqlite pools native connections; the pragmas are per native connection, so run them once each.
    private readonly ConditionalWeakTable<object, object> _tuned = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsTuning(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Applies the pragmas once per native connection (EF Core's and <see cref="PreparedSql"/>'s).</summary>
    public void Apply(DbConnection connection)
    {
        if (NeedsTuning(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }
    }

    private bool NeedsTuning(DbConnection connection)
        => connection is not SqliteConnection { Handle: { } handle } || _tuned.TryAdd(handle, handle);
}
