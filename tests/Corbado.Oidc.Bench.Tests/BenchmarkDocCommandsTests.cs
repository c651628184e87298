using System.Text.RegularExpressions;

namespace Corbado.Oidc.Bench.Tests;

/// <summary>
/// Every benchmark command docs/benchmarks.md shows, as pasted, goes through the benchmark's own command line: it
/// parses without an error, binds, and names a results block and a JSON file that exist. The runs themselves take 2 to
/// 60 minutes on a quiet machine, so the suite does not start them (the smoke lines are the test script's own runs);
/// what a renamed or removed option would break is caught here.
/// </summary>
public sealed partial class BenchmarkDocCommandsTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(BenchProcess.RepositoryRoot, "docs", "benchmarks.md"));

    private static readonly string[] Commands = [.. ShellLines().Where(line => line.StartsWith("dotnet run --project bench/Corbado.Oidc.Bench", StringComparison.Ordinal)
        || line.StartsWith("scripts/bench-ab.sh ", StringComparison.Ordinal))];

    public static TheoryData<string> DocumentedCommands() => new(Commands);

    [Fact]
    public void Doc_ShowsTheCommandsThisTestChecks()
        // PostgreSQL, the Okta block, two smoke runs, the entry-point table, the growth run, and the A/B example.
        => Assert.True(Commands.Length >= 7, string.Join('\n', Commands));

    [Theory]
    [MemberData(nameof(DocumentedCommands))]
    public async Task DocumentedCommand_ParsesAndBinds_AndNamesWhatExists(string command)
    {
        var arguments = BenchArguments(command);
        BenchOptions? bound = null;

        var parse = BenchCommandLine.Build((options, _) =>
        {
            bound = options;
            return Task.FromResult(0);
        }, arguments).Parse(arguments);

        Assert.True(parse.Errors.Count == 0, command + "\n" + string.Join('\n', parse.Errors.Select(e => e.Message)));
        // ab-summary has its own arguments; every other line binds the options of a run.
        if (arguments.FirstOrDefault() == "ab-summary")
        {
            return;
        }

        Assert.Equal(0, await parse.InvokeAsync());
        Assert.NotNull(bound);
        if (bound.MarkdownPath is { } markdown)
        {
            Assert.Equal("docs/benchmarks.md", markdown);
            Assert.Contains(BenchReport.BeginMarker(bound.MarkdownBlock), Doc, StringComparison.Ordinal);
        }

        if (bound.JsonPath is { } json)
        {
            Assert.True(File.Exists(Path.Combine(BenchProcess.RepositoryRoot, json)), json + " is named by a documented command but not in the repository");
        }
    }

    /// <summary>The benchmark's arguments of a documented line: after <c>--</c> for <c>dotnet run</c>, after BASE_REF for bench-ab.sh.</summary>
    private static string[] BenchArguments(string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words[0] == "scripts/bench-ab.sh")
        {
            // The script's own options (--pairs N, --max-load L), then BASE_REF, then the benchmark's options.
            var index = 1;
            while (index < words.Length && words[index].StartsWith("--", StringComparison.Ordinal))
            {
                index += words[index] == "--allow-busy-machine" ? 1 : 2;
            }

            return words[(index + 1)..];
        }

        return words[(Array.IndexOf(words, "--") + 1)..];
    }

    /// <summary>The lines of the ```sh blocks, continuation lines joined, comments and placeholders dropped.</summary>
    private static IEnumerable<string> ShellLines()
    {
        foreach (Match block in ShellBlock().Matches(Doc))
        {
            var joined = block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal);
            foreach (var line in joined.Split('\n'))
            {
                var trimmed = Regex.Replace(line.Trim(), @"\s+", " ");
                if (trimmed.Length > 0 && !trimmed.StartsWith('#') && !trimmed.Contains("BASE_REF", StringComparison.Ordinal))
                {
                    yield return trimmed;
                }
            }
        }
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
