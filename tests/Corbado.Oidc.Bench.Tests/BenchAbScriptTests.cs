namespace Corbado.Oidc.Bench.Tests;

/// <summary>
/// scripts/bench-ab.sh (docs/benchmarks.md, "A/B"): refuses a busy machine, and runs end to end in a smoke
/// configuration (HEAD against the working tree, a few browser logins, three pairs; the summary of several entry
/// points is AbSummaryTests', and every entry point runs in BenchSmokeTests).
/// </summary>
public sealed class BenchAbScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(BenchProcess.RepositoryRoot, "scripts", "bench-ab.sh");
    private readonly string _directory = Directory.CreateTempSubdirectory("corbado-oidc-ab-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task BenchAb_LoadAverageAboveTheLimit_RefusesBeforeBuildingAnything()
    {
        var loadavg = Path.Combine(_directory, "loadavg");
        await File.WriteAllTextAsync(loadavg, "3.50 2.00 1.00 2/345 6789\n");

        var (exitCode, output, errors) = await BenchProcess.RunAsync("bash", [Script, "--max-load", "0.7", "HEAD", "--logins", "20"], TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["BENCH_AB_LOADAVG"] = loadavg });

        Assert.Equal(3, exitCode);
        Assert.Contains("the 1-minute load average is 3.50, above 0.7", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("[ab] building", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--pairs", "2", "--pairs must be a whole number of at least 3")]
    [InlineData("--max-load", "high", "--max-load must be a number")]
    public async Task BenchAb_BadOption_IsRefused(string option, string value, string message)
    {
        var (exitCode, _, errors) = await BenchProcess.RunAsync("bash", [Script, option, value, "HEAD"], TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchAb_SmokeConfiguration_RunsThreeInterleavedPairsAndPrintsMeanAndSpread()
    {
        var (exitCode, output, errors) = await BenchProcess.RunAsync("bash",
            [Script, "--allow-busy-machine", "HEAD", "--logins", "20", "--warmup", "2", "--warmup-jit-limit", "0", "--concurrency", "2", "--entry", "browser", "--floor-iterations", "20"],
            TimeSpan.FromMinutes(10));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{errors}");
        // Interleaved: A then B in every pair, pair after pair.
        var order = new[] { "pair 1, A", "pair 1, B", "pair 2, A", "pair 2, B", "pair 3, A", "pair 3, B" }.Select(step => output.IndexOf(step, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Contains("3 pairs run A B A B", output, StringComparison.Ordinal);
        var section = output[output.IndexOf("Sqlite browser:", StringComparison.Ordinal)..];
        Assert.Matches(@"\n  mean\s+\d+\.\d{3}\s+\d+\.\d{2}×\s+\d+\.\d{3}\s+\d+\.\d{2}×", section);
        Assert.Matches(@"\n  stddev\s+\d+\.\d{3}", section);

        // The temporary worktree is gone.
        Assert.DoesNotContain("corbado-oidc-ab-", (await BenchProcess.RunAsync("git", ["worktree", "list"], TimeSpan.FromSeconds(30))).Output, StringComparison.Ordinal);
    }
}
