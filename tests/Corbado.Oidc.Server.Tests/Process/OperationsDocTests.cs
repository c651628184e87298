using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// Issue 22: the shell blocks of docs/operations.md, run by bash as pasted, against a real server process (Production
/// environment) on a real database. Stated substitutions, and nothing else: the working directory is a fresh folder
/// (the doc's blocks run next to <c>Corbado.Oidc.Server.dll</c>: a shell function runs the built one for
/// <c>dotnet Corbado.Oidc.Server.dll</c>); the server listens on a free loopback port; the passkey backend's JWKS URL
/// is <see cref="FakePasskeyBackend"/>'s; <c>/backup</c> is a folder of the test; on PostgreSQL, <c>corbado_oidc</c> is
/// a fresh database of <see cref="PostgreSqlCluster"/> (its connection URI).
/// </summary>
public sealed partial class OperationsDocTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("corbado-oidc-ops-").FullName;
    private readonly Dictionary<string, string?> _environment = [];
    private FakePasskeyBackend _backend = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _backend = await FakePasskeyBackend.StartAsync();
        using (var issuerKey = TestSigningKey.CreateRsa())
        {
            _backend.JwksJson = TestSigningKey.ToJwksJson(issuerKey);
        }

        _port = LoopbackPorts.Free();
        _environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        _environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_port}";
        _environment["Oidc__Issuer"] = "https://login.example.com/";
        _environment["Corbado__ProjectId"] = _backend.ProjectId;
        _environment["Corbado__JwksUrl"] = _backend.JwksUrl;
        _environment["Keys__RefreshInterval"] = "00:00:01";
        _environment["HOME"] = _directory;
        _environment["DOTNET_CLI_HOME"] = _directory;
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task RotationRunbook_AndKeysImport_AsPasted_ChangeTheJwksOfARunningServer()
    {
        var scheduled = Block("### Scheduled", 0);
        var import = Block("### Scheduled", 1);
        var emergency = Block("### Emergency", 0);
        Assert.Contains("keys rotate", scheduled);
        Assert.Contains("keys import --file key.pem", import);
        Assert.Contains("keys rotate --now", emergency);

        using var server = ServerProcess.Start(_environment, [], _directory);
        await server.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{_port}/"), TimeSpan.FromSeconds(60));
        var initial = await JwksKidsAsync();

        var (scheduledExit, scheduledOutput) = await RunAsync(scheduled);
        Assert.True(scheduledExit == 0, scheduledOutput);
        var pending = SigKey().Matches(scheduledOutput).Where(m => m.Groups["state"].Value == "pending").Select(m => m.Groups["kid"].Value).Single();
        Assert.DoesNotContain(pending, initial);
        // Published (not yet signing) within Keys:RefreshInterval on the running server.
        await EventuallyAsync(async () => (await JwksKidsAsync()).Contains(pending), scheduledOutput);

        var (importExit, importOutput) = await RunAsync(import);
        Assert.True(importExit == 0, importOutput);
        var imported = AddedKey().Match(importOutput).Groups[1].Value;
        Assert.Matches($"{imported}\tsig\tRS256\tpending", importOutput);
        Assert.DoesNotContain("PRIVATE", importOutput);

        var (emergencyExit, emergencyOutput) = await RunAsync(emergency);
        Assert.True(emergencyExit == 0, emergencyOutput);
        // The current keys are withdrawn at once: the running server stops publishing them, and publishes the new one.
        // After a scheduled rotation too: the key still signing until the scheduled one activates is withdrawn as well.
        var emergencyKid = AddedKey().Match(emergencyOutput).Groups[1].Value;
        await EventuallyAsync(async () => await JwksKidsAsync() is var kids && kids.SequenceEqual([emergencyKid]), emergencyOutput);
        Assert.NotEmpty(await JwksKidsAsync());
        server.Kill();
    }

    [Fact]
    public async Task SqliteBackupAndRestore_AsPasted_BringBackTheKeys()
    {
        var backup = Block("**SQLite (online).**", 0);
        var restore = Block("**SQLite (online).**", 1);
        Assert.StartsWith("sqlite3 data/corbado-oidc.db", backup);

        List<string> before;
        using (var server = ServerProcess.Start(_environment, [], _directory))
        {
            await server.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{_port}/"), TimeSpan.FromSeconds(60));
            before = await JwksKidsAsync();
            // Online: taken while the server runs.
            var (backupExit, backupOutput) = await RunAsync(backup);
            Assert.True(backupExit == 0, backupOutput);
            server.Kill();
        }

        // The database is lost (its WAL too).
        foreach (var file in Directory.GetFiles(Path.Combine(_directory, "data"), "corbado-oidc.db*"))
        {
            File.Delete(file);
        }

        var (restoreExit, restoreOutput) = await RunAsync(restore);
        Assert.True(restoreExit == 0, restoreOutput);

        using var restarted = ServerProcess.Start(_environment, [], _directory);
        await restarted.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{_port}/"), TimeSpan.FromSeconds(60));
        Assert.Equal(before, await JwksKidsAsync());
        restarted.Kill();
    }

    [Fact]
    public async Task PostgreSqlDumpAndRestore_AsPasted_BringBackTheKeys()
    {
        var commands = Block("**PostgreSQL.**", 0).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, commands.Length);
        Assert.StartsWith("pg_dump ", commands[0]);
        Assert.StartsWith("pg_restore ", commands[1]);

        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var uri = $"postgresql://{Uri.EscapeDataString(builder.Username!)}@{builder.Host}:{builder.Port}/{builder.Database}";
        _environment["Database__Provider"] = "PostgreSql";
        _environment["ConnectionStrings__Oidc"] = connectionString;
        _environment["PGPASSWORD"] = builder.Password;

        List<string> before;
        using (var server = ServerProcess.Start(_environment, [], _directory))
        {
            await server.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{_port}/"), TimeSpan.FromSeconds(60));
            before = await JwksKidsAsync();
            var (dumpExit, dumpOutput) = await RunAsync(Substitute(commands[0], uri));
            Assert.True(dumpExit == 0, dumpOutput);
            server.Kill();
        }

        // Keys lost: without the restore the next start would mint new ones.
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("DELETE FROM \"KeyMaterial\"", connection);
            Assert.True(await command.ExecuteNonQueryAsync() > 0);
        }

        var (restoreExit, restoreOutput) = await RunAsync(Substitute(commands[1], uri));
        Assert.True(restoreExit == 0, restoreOutput);

        using var restarted = ServerProcess.Start(_environment, [], _directory);
        await restarted.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{_port}/"), TimeSpan.FromSeconds(60));
        Assert.Equal(before, await JwksKidsAsync());
        restarted.Kill();
    }

    private static string Substitute(string command, string uri)
        => command.Replace("-d corbado_oidc", $"-d '{uri}'", StringComparison.Ordinal);

    /// <summary>The <paramref name="index"/>th shell block after <paramref name="marker"/> in docs/operations.md, unindented.</summary>
    private static string Block(string marker, int index)
    {
        var operations = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "operations.md"));
        var match = ShellBlock().Matches(operations, operations.IndexOf(marker, StringComparison.Ordinal))[index];
        var indent = match.Groups["indent"].Value;
        return string.Join('\n', match.Groups["body"].Value.Split('\n').Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line)).Trim();
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string block)
    {
        var script = $$"""
            set -e
            dotnet() {
              if [ "$1" = "Corbado.Oidc.Server.dll" ]; then shift; command dotnet '{{ServerProcess.ServerDll}}' "$@"
              else echo "not the document's command: dotnet $*" >&2; return 97; fi
            }
            {{block.Replace("/backup/", Path.Combine(_directory, "backup") + "/", StringComparison.Ordinal)}}
            """;
        Directory.CreateDirectory(Path.Combine(_directory, "backup"));
        using var shell = ServerProcess.StartProgram("bash", ["-c", script], _environment, _directory);
        var exitCode = await shell.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, shell.Output);
    }

    private async Task<List<string>> JwksKidsAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}/"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var keys = JsonDocument.Parse(await client.GetStringAsync(".well-known/jwks"));
        return [.. keys.RootElement.GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string context)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            if (await condition())
            {
                return;
            }
        }

        throw new Xunit.Sdk.XunitException("The running server's JWKS did not change as the runbook says. Output:\n" + context);
    }

    [GeneratedRegex(@"^(?<indent>[ ]*)```sh\n(?<body>.*?)^[ ]*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"^(?<kid>\S+)\tsig\tRS256\t(?<state>\w+)", RegexOptions.Multiline)]
    private static partial Regex SigKey();

    [GeneratedRegex(@"Added sig key ([A-Za-z0-9_-]+)")]
    private static partial Regex AddedKey();
}
