using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Corbado.Oidc.Testing;

/// <summary>
/// A throwaway PostgreSQL server for the test run, started once per test process from Debian's binaries
/// (<c>/usr/lib/postgresql/N/bin</c>) on a loopback port, with a fresh database per test. Set
/// <c>CORBADO_TEST_POSTGRES</c> to a connection string to use an existing server instead.
/// </summary>
public sealed class PostgreSqlCluster
{
    private static readonly Lazy<Task<PostgreSqlCluster>> Instance = new(StartAsync);
    private readonly string _adminConnectionString;

    private PostgreSqlCluster(string adminConnectionString) => _adminConnectionString = adminConnectionString;

    /// <summary>The cluster shared by every test in this process.</summary>
    public static Task<PostgreSqlCluster> SharedAsync() => Instance.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<PostgreSqlCluster> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("CORBADO_TEST_POSTGRES") is { Length: > 0 } existing)
        {
            return new PostgreSqlCluster(existing);
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                "PostgreSQL server binaries were not found under /usr/lib/postgresql. Run scripts/test.sh, which installs the Debian package 'postgresql', or set CORBADO_TEST_POSTGRES.");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"corbado-oidc-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the Debian 'postgres' user.
            await RunAsync("chown", ["postgres:postgres", directory], asPostgres: false);
        }

        var data = Path.Combine(directory, "data");
        var port = LoopbackPorts.Free();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], asRoot);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
             "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200", "start"],
            asRoot);

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot).GetAwaiter().GetResult();

        return new PostgreSqlCluster($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50");
    }

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var part in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(part);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
