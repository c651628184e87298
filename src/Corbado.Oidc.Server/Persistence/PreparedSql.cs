using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The login path's few SQL statements on open connections with prepared statements kept between calls. Through EF
/// Core each statement cost an EF command pipeline, a pooled connection open and close, and a fresh SQLite parse
/// (about a fifth of a login's CPU, docs/benchmarks.md); here a statement is bound and run. Parameters are positional
/// (<c>@p0</c>, <c>@p1</c>, …), never concatenated. A connection that fails is discarded with every idle one, so a
/// database restart costs one failed request per caller at most, and idle connections are closed after a minute.
/// </summary>
public sealed class PreparedSql : IDisposable
{
    private const int MaxIdle = 16;
    private const long IdleLifetimeMilliseconds = 60_000;

    private readonly Func<DbConnection> _create;
    private readonly Action<DbConnection>? _onOpen;
    private readonly ConcurrentQueue<Session> _idle = new();

    // SQLite: one connection, one statement at a time. Writes are serialized by the engine anyway, and in WAL mode every
    // write by one connection empties the page cache of the others; one connection keeps its cache warm (measured in
    // docs/benchmarks.md). Microsoft.Data.Sqlite runs "async" calls synchronously, so the gate is held only for the call.
    private readonly SemaphoreSlim? _gate;
    public PreparedSql(DatabaseProvider provider, string connectionString, SqliteTuning? tuning)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            _create = () => new NpgsqlConnection(connectionString);
        }
        else
        {
            _create = () => new SqliteConnection(connectionString);
            _onOpen = tuning is null ? null : tuning.Apply;
            _gate = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Runs a statement; returns the number of rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, object?[] values, CancellationToken cancellationToken)
        => RunAsync(sql, values, static (command, token) => command.ExecuteNonQueryAsync(token), cancellationToken);

    /// <summary>Runs a query and maps its first row, or returns default when there is none.</summary>
    public Task<T?> QueryFirstAsync<T>(string sql, object?[] values, Func<DbDataReader, T> map, CancellationToken cancellationToken)
        => RunAsync(sql, values, async (command, token) =>
        {
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, token);
            return await reader.ReadAsync(token) ? map(reader) : default;
        }, cancellationToken);

    private async Task<T> RunAsync<T>(string sql, object?[] values, Func<DbCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        // A database span when tracing listens (null, and free, otherwise): the statement text has placeholders only.
        using var activity = Core.Diagnostics.OidcMetrics.ActivitySource.StartActivity("db.statement", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("db.system.name", _gate is null ? "postgresql" : "sqlite");
        activity?.SetTag("db.query.text", sql);
        if (_gate is null)
        {
            return await RunOnSessionAsync(sql, values, run, cancellationToken);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await RunOnSessionAsync(sql, values, run, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> RunOnSessionAsync<T>(string sql, object?[] values, Func<DbCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        var session = await RentAsync(cancellationToken);
        try
        {
            var (command, prepared) = session.Command(sql, values.Length);
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            if (!prepared)
            {
                // With the first values bound, so PostgreSQL learns the parameter types.
                await command.PrepareAsync(cancellationToken);
            }

            var result = await run(command, cancellationToken);
            Return(session);
            return result;
        }
        catch
        {
            // The connection may be broken (a restarted database, a cut network): never reuse it or its siblings.
            session.Dispose();
            while (_idle.TryDequeue(out var idle))
            {
                idle.Dispose();
            }

            throw;
        }
    }

    private async ValueTask<Session> RentAsync(CancellationToken cancellationToken)
    {
        // Real elapsed time (not the injected clock): this is connection hygiene, not protocol time.
        var now = Environment.TickCount64;
        while (_idle.TryDequeue(out var session))
        {
            if (now - session.LastUsed < IdleLifetimeMilliseconds)
            {
                return session;
            }

            session.Dispose();
        }

        var connection = _create();
        try
        {
            await connection.OpenAsync(cancellationToken);
            _onOpen?.Invoke(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new Session(connection);
    }

    private void Return(Session session)
    {
        session.LastUsed = Environment.TickCount64;
        if (_idle.Count < MaxIdle)
        {
            _idle.Enqueue(session);
        }
        else
        {
            session.Dispose();
        }
    }

    public void Dispose()
    {
        while (_idle.TryDequeue(out var session))
        {
            session.Dispose();
        }

        _gate?.Dispose();
    }

    /// <summary>One open connection and the commands prepared on it, by SQL text.</summary>
    private sealed class Session(DbConnection connection) : IDisposable
    {
        private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

        public long LastUsed { get; set; }

        public (DbCommand Command, bool Prepared) Command(string sql, int parameterCount)
        {
            if (_commands.TryGetValue(sql, out var command))
            {
                return (command, true);
            }

            command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < parameterCount; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                command.Parameters.Add(parameter);
            }

            _commands[sql] = command;
            return (command, false);
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            connection.Dispose();
        }
    }
}
