using System.Globalization;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>The clients of a run: one per entry point, registered with exactly what that entry point needs.</summary>
public static class BenchClients
{
    private static readonly string Secret = "bench-secret-" + Guid.NewGuid().ToString("N");

    public static BenchClient For(EntryPoint entry) => entry switch
    {
        // The browser login's relying party keeps its historical id.
        EntryPoint.Browser => new("bench-rp", Secret, "https://rp.bench.local/callback"),
        EntryPoint.Hosted or EntryPoint.Session => new("bench-" + EntryPoints.Name(entry), Secret + "-" + EntryPoints.Name(entry), "https://rp.bench.local/callback"),
        _ => new("bench-" + EntryPoints.Name(entry), Secret + "-" + EntryPoints.Name(entry), "https://rp.bench.local/unused"),
    };
}

/// <summary>The server's environment for one run: configuration, passkey issuer, clients, hints, database.</summary>
public static class BenchServerSettings
{
    public static async Task<(Dictionary<string, string> Settings, string? ConnectionString, string? SqliteFile)> BuildAsync(BenchOptions options,
        ServerConfiguration configuration, BenchDatabase database, string dataDirectory, string jwksFile)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado__JwksFile"] = jwksFile,
            ["Corbado__UseDevelopmentIssuer"] = "false",
            ["RateLimiting__Enabled"] = "false",
        };

        // The image's environment (deploy/Dockerfile) and, for --quiet-server, the Warning log level.
        foreach (var (key, value) in configuration.ServerEnvironment())
        {
            settings[key] = value;
        }

        var index = 0;
        foreach (var entry in options.Entries)
        {
            foreach (var (key, value) in EntryPoints.ClientSettings(entry, index, BenchClients.For(entry)))
            {
                settings[key] = value;
            }

            if (entry == EntryPoint.Browser && options.RequestObject == RequestObjectMode.Hs256)
            {
                // HS256 request objects are keyed with the client secret, which a client must opt in to (ClientRegistration).
                settings[$"Clients__{index}__AllowSymmetricRequestObjects"] = "true";
            }

            index++;
        }

        if (options.HintLifetimeSeconds != (int)HintSupply.DefaultLifetime.TotalSeconds)
        {
            // Long runs pre-mint long-lived hints; the server must accept an iat that old (SignedPasskeyDataVerifier).
            settings["Corbado__MaxAge"] = TimeSpan.FromSeconds(options.HintLifetimeSeconds).ToString("c", CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in options.ServerEnvironment)
        {
            settings[key] = value;
        }

        if (database == BenchDatabase.PostgreSql)
        {
            var connectionString = options.ConnectionString ?? await ThrowawayPostgreSql.CreateDatabaseAsync();
            settings["Database__Provider"] = "PostgreSql";
            settings["ConnectionStrings__Oidc"] = connectionString;
            return (settings, connectionString, null);
        }

        var sqliteFile = Path.Combine(dataDirectory, "oidc.db");
        settings["Database__Provider"] = "Sqlite";
        settings["ConnectionStrings__Oidc"] = "Data Source=" + sqliteFile;
        return (settings, null, sqliteFile);
    }

    public static async Task<long> DatabaseBytesAsync(string? connectionString, string? sqliteFile, CancellationToken cancellationToken) =>
        sqliteFile is not null ? DatabaseSize.Sqlite(sqliteFile) : await DatabaseSize.PostgreSqlAsync(connectionString!, cancellationToken);
}

/// <summary>
/// A PostgreSQL cluster for runs without <c>--connection-string</c>: the test suite's throwaway cluster from the Debian
/// binaries (<see cref="PostgreSqlCluster"/>), one fresh database per run, stopped and removed at process exit.
/// </summary>
public static class ThrowawayPostgreSql
{
    private static int _cleanupRegistered;

    public static async Task<string> CreateDatabaseAsync()
    {
        BenchLog.Write("starting a throwaway PostgreSQL cluster");
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        if (Interlocked.Exchange(ref _cleanupRegistered, 1) == 0)
        {
            // The cluster stops itself at process exit; this handler, added later, runs after it and removes its files.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveClusters();
        }

        return connectionString;
    }

    private static void RemoveClusters()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), $"corbado-oidc-pg-{Environment.ProcessId}-*"))
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"warning: could not remove {directory}: {e.Message}");
            }
        }
    }
}
