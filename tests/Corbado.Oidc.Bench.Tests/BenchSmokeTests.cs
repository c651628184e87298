using System.Text.Json;

namespace Corbado.Oidc.Bench.Tests;

/// <summary>
/// The benchmark end to end, in a tiny configuration: a real server process, every entry point, both server
/// configurations. Speed is not asserted (a shared test machine); what the run did is.
/// </summary>
public sealed class BenchSmokeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("corbado-oidc-bench-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<JsonElement> RunAsync(params string[] options)
    {
        var json = Path.Combine(_directory, "report.json");
        string[] arguments =
        [
            BenchProcess.BenchDll, "--server-dll", BenchProcess.ServerDll, "--logins", "20", "--warmup", "2", "--concurrency", "4",
            "--floor-iterations", "20", "--duration-limit", "120", "--json", json, .. options,
            // Unless a test asks for it, no wait for the JIT to settle (a minute per entry point on a busy machine).
            .. options.Contains("--warmup-jit-limit") ? Array.Empty<string>() : ["--warmup-jit-limit", "0"],
        ];
        var (exitCode, output, errors) = await BenchProcess.RunAsync("dotnet", arguments, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{errors}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.Clone();
    }

    [Fact]
    public async Task Bench_Default_RunsEveryEntryPointInTheShippedConfiguration()
    {
        var serverOutput = Path.Combine(_directory, "server.log");

        var report = await RunAsync("--entry", "all", "--server-output", serverOutput);

        Assert.Equal("shipped", report.GetProperty("configuration").GetString());
        Assert.Contains("Logging__Console__FormatterName=json", report.GetProperty("settings").GetProperty("serverMode").GetString(), StringComparison.Ordinal);
        var rows = report.GetProperty("entryPoints").EnumerateArray().ToList();
        Assert.Equal(["browser", "exchange", "refresh", "verify", "hosted", "session"], rows.Select(row => row.GetProperty("entry").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal(20, row.GetProperty("succeeded").GetInt32());
            Assert.True(row.GetProperty("serverCpuMsPerOperation").GetDouble() > 0);
            Assert.True(row.GetProperty("floorMicroseconds").GetDouble() > 0);
            // The management port answered Prometheus's scrape during the run, and every scrape succeeded.
            Assert.True(row.GetProperty("scrapes").GetProperty("succeeded").GetInt32() >= 1);
            Assert.Equal(0, row.GetProperty("scrapes").GetProperty("failed").GetInt32());
            // Information-level JSON lines were written (and drained) for every operation.
            Assert.True(row.GetProperty("logBytesPerOperation").GetDouble() > 100, row.ToString());
        }

        // The verify API signs nothing: its floor is one verification, less than the login's sign + verify.
        Assert.True(rows[3].GetProperty("floorMicroseconds").GetDouble() < rows[0].GetProperty("floorMicroseconds").GetDouble());
        var lines = await File.ReadAllLinesAsync(serverOutput);
        Assert.All(lines.Where(line => line.Length > 0), line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
        Assert.Contains(lines, line => line.Contains("\"Category\":\"Corbado.Oidc.Audit\"", StringComparison.Ordinal));
        // The hosted entry point signed in with a passkey ceremony and the session entry point from the session: the
        // login core's audit names each method (warm-ups and each session worker's first sign-in included).
        Assert.True(lines.Count(line => line.Contains("\"Method\":\"hosted_passkey\"", StringComparison.Ordinal)) >= 20);
        Assert.True(lines.Count(line => line.Contains("\"Method\":\"session\"", StringComparison.Ordinal)) >= 20);
    }

    [Fact]
    public async Task Bench_QuietServerOnBothDatabases_OneRowPerDatabase_NoLogLinesAndNoScrape()
    {
        var report = await RunAsync("--quiet-server", "--database", "both");

        Assert.Equal("quiet", report.GetProperty("configuration").GetString());
        var rows = report.GetProperty("entryPoints").EnumerateArray().ToList();
        Assert.Equal(["Sqlite", "PostgreSql"], rows.Select(row => row.GetProperty("database").GetString()));
        Assert.All(rows, row =>
        {
            Assert.Equal("browser", row.GetProperty("entry").GetString());
            Assert.Equal(20, row.GetProperty("succeeded").GetInt32());
            Assert.Equal(0, row.GetProperty("scrapes").GetProperty("intervalSeconds").GetInt32());
            Assert.Equal(0, row.GetProperty("logBytesPerOperation").GetDouble());
            // --warmup-jit-limit 0: the fixed warm-up only, and no JIT figure for a wait that did not happen.
            Assert.Equal(2, row.GetProperty("warmup").GetProperty("operations").GetInt32());
            Assert.Equal(JsonValueKind.Null, row.GetProperty("warmup").GetProperty("lastSliceJitPercent").ValueKind);
        });
    }

    [Fact]
    public async Task Bench_WarmupJitLimit_WarmsUpInSlicesWhileWatchingTheTieredCompilationThread()
    {
        // Ten pre-minted hints for the wait: every slice past them takes hints owed to the producer before it starts
        // (a slice that took hints nobody had owed waited for them until the driver's hard stop, and failed).
        var report = await RunAsync("--entry", "verify", "--quiet-server", "--warmup-jit-limit", "6", "--warmup-hints", "10");

        var row = Assert.Single(report.GetProperty("entryPoints").EnumerateArray());
        var warmup = row.GetProperty("warmup");
        // At least one 2-second slice ran after the two fixed operations, and the JIT thread's share of it was read
        // from /proc (a number, not the null of a run without the wait); the wait ends by settling or at its limit.
        Assert.True(warmup.GetProperty("operations").GetInt32() > 2 + 10, warmup.ToString());
        Assert.True(warmup.GetProperty("seconds").GetDouble() >= 2, warmup.ToString());
        Assert.True(warmup.GetProperty("lastSliceJitPercent").GetDouble() >= 0, warmup.ToString());
        Assert.True(warmup.GetProperty("settled").GetBoolean() || warmup.GetProperty("seconds").GetDouble() >= 6, warmup.ToString());
        Assert.Equal(20, row.GetProperty("succeeded").GetInt32());
        Assert.True(row.GetProperty("jitPercent").GetDouble() >= 0);
    }
}
