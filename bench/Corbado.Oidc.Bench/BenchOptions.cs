using System.CommandLine;

namespace Corbado.Oidc.Bench;

/// <summary>The database the server under test runs on.</summary>
public enum BenchDatabase
{
    Sqlite,
    PostgreSql,
}

/// <summary>How the authorization request carries its parameters.</summary>
public enum RequestObjectMode
{
    /// <summary>In the query, as a browser following a plain OIDC redirect does.</summary>
    None,

    /// <summary>In an OIDC Core §6.1 request object signed HS256 with the client secret, as Okta does by default.</summary>
    Hs256,
}

/// <summary>Everything the command line sets; one run of the benchmark.</summary>
public sealed record BenchOptions
{
    public const int MaxLogins = 1_000_000;

    /// <summary>
    /// The largest batch pre-minted by default with five-minute hints: at 1,500 logins/s it lasts 200 s, inside the
    /// four minutes a hint is used for.
    /// </summary>
    public const int AutoPremintLimit = 300_000;

    /// <summary>Hints to mint before timing, out of <paramref name="needed"/> (warm-ups and every entry point included).</summary>
    public int PremintCount(int needed) => Math.Min(needed, Premint
        ?? (HintLifetimeSeconds > (int)HintSupply.DefaultLifetime.TotalSeconds ? needed : AutoPremintLimit));

    public int Logins { get; init; } = 20_000;
    public int Concurrency { get; init; } = 32;
    public int DurationLimitSeconds { get; init; } = 600;
    /// <summary>The databases run one after the other, each with a server of its own (<c>--database both</c>: SQLite, then PostgreSQL).</summary>
    public IReadOnlyList<BenchDatabase> Databases { get; init; } = [BenchDatabase.Sqlite];
    /// <summary>The entry points run one after the other on each server, in this order.</summary>
    public IReadOnlyList<EntryPoint> Entries { get; init; } = [EntryPoint.Browser];
    /// <summary>Today's quieter configuration instead of the image's (see <see cref="ServerConfiguration.Quiet"/>).</summary>
    public bool QuietServer { get; init; }
    /// <summary>Seconds between two scrapes of /metrics in the shipped configuration.</summary>
    public int ScrapeIntervalSeconds { get; init; } = 5;
    /// <summary>RS256 signs and verifies per crypto-floor measurement (a smoke run needs few).</summary>
    public int FloorIterations { get; init; } = 3000;
    /// <summary>Keep the server's drained standard output in this file (one per database with <c>--database both</c>).</summary>
    public string? ServerOutput { get; init; }
    public RequestObjectMode RequestObject { get; init; } = RequestObjectMode.None;
    public string? ConnectionString { get; init; }
    public int? ServerCpu { get; init; }
    public int? DriverCpu { get; init; }
    public string? JsonPath { get; init; }
    public string? MarkdownPath { get; init; }
    public int Window { get; init; } = 50_000;
    public string? ServerDll { get; init; }
    public int Warmup { get; init; } = 200;
    /// <summary>
    /// After <see cref="Warmup"/>, the warm-up goes on in slices of <see cref="JitSliceSeconds"/> until the runtime's
    /// tiered-compilation thread takes under <see cref="JitSettledPercent"/> % of the server's CPU in two slices in a row, for at
    /// most this many seconds (0: no such wait). A smoke run never waits.
    /// </summary>
    public int WarmupJitLimitSeconds { get; init; } = 60;
    public const double JitSliceSeconds = 2;

    /// <summary>
    /// Hints pre-minted for that wait, per entry point that takes one per operation (about 15-20 s of browser logins on
    /// one core); a longer wait has the rest minted on the driver's core while it goes.
    /// </summary>
    public int WarmupHintAllowance => WarmupJitLimitSeconds > 0 ? WarmupHints ?? DefaultWarmupHints : 0;

    public const int DefaultWarmupHints = 15_000;

    /// <summary><c>--warmup-hints</c>: the allowance above; null for <see cref="DefaultWarmupHints"/>.</summary>
    public int? WarmupHints { get; init; }
    public const double JitSettledPercent = 1;

    /// <summary>Hints owed ahead of a warm-up slice past the allowance, at the least (a slice of 2 s at 2,000 operations/s).</summary>
    public const int MinWarmupSliceHints = 4_000;
    /// <summary>Hints minted before timing; null: every login up to <see cref="AutoPremintLimit"/> (all of them with a longer hint lifetime).</summary>
    public int? Premint { get; init; }
    public int HintLifetimeSeconds { get; init; } = (int)HintSupply.DefaultLifetime.TotalSeconds;
    public string MarkdownBlock { get; init; } = "results";
    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    /// <summary>A smoke run: no progress lines and no target verdicts, only the logins and errors that decide pass or fail.</summary>
    public bool Smoke { get; init; }

    /// <summary>The command line as typed, for the report.</summary>
    public string CommandLine { get; init; } = "";
}

/// <summary>The command line (System.CommandLine), with the bounds every option must respect.</summary>
public static class BenchCommandLine
{
    public static RootCommand Build(Func<BenchOptions, CancellationToken, Task<int>> run, string[] args)
    {
        var logins = Bounded(new Option<int>("--logins") { Description = "Timed operations to run per entry point (a browser login: authorize + token + ID token check).", DefaultValueFactory = _ => 20_000 }, 1, BenchOptions.MaxLogins);
        var concurrency = Bounded(new Option<int>("--concurrency") { Description = "Concurrent workers, one login in flight each.", DefaultValueFactory = _ => 32 }, 1, 1024);
        var durationLimit = Bounded(new Option<int>("--duration-limit") { Description = "Stop starting new logins after this many seconds of timed run.", DefaultValueFactory = _ => 600 }, 1, 24 * 3600);
        var database = new Option<string>("--database") { Description = "sqlite, postgresql, or both (one server each, one table).", DefaultValueFactory = _ => "sqlite" };
        database.AcceptOnlyFromAmong("sqlite", "postgresql", "both");
        var entry = new Option<string>("--entry")
        {
            Description = "The entry point(s) to run: browser (authorize with a hint + code at /token), exchange (RFC 8693 token exchange), refresh (refresh_token grant), verify (the verify API), hosted (the hosted passkey page and a WebAuthn ceremony), session (single sign-on from the session cookie), or all of them in that order.",
            DefaultValueFactory = _ => "browser",
        };
        entry.AcceptOnlyFromAmong("browser", "exchange", "refresh", "verify", "hosted", "session", "all");
        var quietServer = new Option<bool>("--quiet-server") { Description = "Run the server as the benchmark did before issue 19 (log level Warning, no management port, no scrape) instead of in the shipped configuration of deploy/Dockerfile." };
        var floorIterations = Bounded(new Option<int>("--floor-iterations") { Description = "RS256 signs and verifies timed for each crypto-floor measurement (before and after the load).", DefaultValueFactory = _ => 3000 }, 10, 100_000);
        var serverOutput = new Option<string?>("--server-output") { Description = "Keep the server's standard output (its log lines, drained as a container runtime drains them) in this file; with --database both, one file per database (-sqlite, -postgresql before the extension)." };
        var scrapeInterval = Bounded(new Option<int>("--scrape-interval") { Description = "Seconds between two Prometheus scrapes of /metrics on the management port (shipped configuration).", DefaultValueFactory = _ => 5 }, 1, 300);
        var requestObject = new Option<string>("--request-object") { Description = "none (parameters in the query) or hs256 (a signed request object, OIDC Core 6.1, keyed with the client secret as Okta does by default).", DefaultValueFactory = _ => "none" };
        requestObject.AcceptOnlyFromAmong("none", "hs256");
        var connectionString = new Option<string?>("--connection-string") { Description = "Npgsql connection string (postgresql); without it a throwaway cluster is started." };
        var serverCpu = new Option<int?>("--server-cpu") { Description = "Pin the server process to this CPU (taskset -c N)." };
        var driverCpu = new Option<int?>("--driver-cpu") { Description = "Pin this driver process to this CPU." };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file." };
        var markdown = new Option<string?>("--markdown") { Description = "Rewrite the generated results block of this Markdown file." };
        var window = Bounded(new Option<int>("--window") { Description = "Report throughput and p99 for every window of this many logins.", DefaultValueFactory = _ => 50_000 }, 1, BenchOptions.MaxLogins);
        var serverDll = new Option<string?>("--server-dll") { Description = "The server to run (default: the Release build in this repository)." };
        var warmup = Bounded(new Option<int>("--warmup") { Description = "Untimed logins first (JIT, connection pool, database pages).", DefaultValueFactory = _ => 200 }, 0, 100_000);
        var warmupJitLimit = Bounded(new Option<int>("--warmup-jit-limit") { Description = "After --warmup, keep warming up in 2-second slices until the runtime's tiered-compilation thread takes under 1 % of the server's CPU in two slices in a row (the server's code is then in its final, optimised form), for at most this many seconds; 0 turns it off. Without it the first 10-20 s of a run pay for recompiling hot methods (measured: a quarter of the server's core). Smoke runs skip it.", DefaultValueFactory = _ => 60 }, 0, 600);
        var markdownBlock = new Option<string>("--markdown-block") { Description = "Name of the generated block to rewrite: <!-- bench:NAME:begin --> … <!-- bench:NAME:end -->.", DefaultValueFactory = _ => "results" };
        markdownBlock.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not { Length: > 0 and <= 40 } name || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                result.AddError("--markdown-block takes letters, digits, '-' and '_' (at most 40).");
            }
        });
        var serverEnvironment = new Option<string[]>("--server-env") { Description = "Extra KEY=VALUE environment for the server (repeat), e.g. DOTNET_PerfMapEnabled=1 for perf.", AllowMultipleArgumentsPerToken = false };
        serverEnvironment.Validators.Add(result =>
        {
            foreach (var entry in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (entry.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--server-env takes KEY=VALUE (was '{entry}').");
                }
            }
        });
        var premint = new Option<int?>("--premint") { Description = "Hints minted before timing starts, on every core (warm-ups and every entry point included); the rest are minted on the driver's core while the runs go. Default: all of them up to 300,000, or all with --hint-lifetime." };
        premint.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && (value < 0 || value > BenchOptions.MaxLogins))
            {
                result.AddError($"--premint must be between 0 and {BenchOptions.MaxLogins:N0} (was {value:N0}).");
            }
        });
        var hintLifetime = Bounded(new Option<int>("--hint-lifetime") { Description = "Seconds from iat to exp of every hint; the server is started with Corbado__MaxAge set to match (it allows at most 3600). Longer than 300 lets a long run be pre-minted whole.", DefaultValueFactory = _ => (int)HintSupply.DefaultLifetime.TotalSeconds }, 120, 3600);

        var warmupHints = Bounded(new Option<int>("--warmup-hints") { Description = "Hints pre-minted for the wait of --warmup-jit-limit, per entry point that takes one per operation; past them, each slice's hints are owed to the driver-side producer before the slice starts.", DefaultValueFactory = _ => BenchOptions.DefaultWarmupHints }, 0, 1_000_000);

        var smoke = new Option<bool>("--smoke") { Description = "Print only the logins and errors (the test script's smoke run), no progress and no target verdicts; exit 1 on any failed login." };

        var root = new RootCommand("Corbado.Oidc login benchmark: starts the server, drives full passkey logins, reports throughput, latency and cost.")
        {
            logins, concurrency, durationLimit, database, entry, quietServer, scrapeInterval, serverOutput, floorIterations, requestObject, connectionString, serverCpu, driverCpu, json, markdown, markdownBlock, window, serverDll, serverEnvironment, warmup, warmupJitLimit, warmupHints, premint, hintLifetime, smoke,
        };
        root.Subcommands.Add(AbSummaryCommand());
        root.SetAction((parse, cancellationToken) => run(new BenchOptions
        {
            Logins = parse.GetValue(logins),
            Concurrency = parse.GetValue(concurrency),
            DurationLimitSeconds = parse.GetValue(durationLimit),
            Databases = parse.GetValue(database) switch
            {
                "postgresql" => [BenchDatabase.PostgreSql],
                "both" => [BenchDatabase.Sqlite, BenchDatabase.PostgreSql],
                _ => [BenchDatabase.Sqlite],
            },
            Entries = parse.GetValue(entry) is "all" or null ? EntryPoints.All : [Enum.Parse<EntryPoint>(parse.GetValue(entry)!, ignoreCase: true)],
            QuietServer = parse.GetValue(quietServer),
            ScrapeIntervalSeconds = parse.GetValue(scrapeInterval),
            ServerOutput = parse.GetValue(serverOutput),
            FloorIterations = parse.GetValue(floorIterations),
            RequestObject = parse.GetValue(requestObject) == "hs256" ? RequestObjectMode.Hs256 : RequestObjectMode.None,
            ConnectionString = parse.GetValue(connectionString),
            ServerCpu = parse.GetValue(serverCpu),
            DriverCpu = parse.GetValue(driverCpu),
            JsonPath = parse.GetValue(json),
            MarkdownPath = parse.GetValue(markdown),
            MarkdownBlock = parse.GetValue(markdownBlock)!,
            ServerEnvironment = [.. (parse.GetValue(serverEnvironment) ?? []).Select(e => new KeyValuePair<string, string>(e[..e.IndexOf('=', StringComparison.Ordinal)], e[(e.IndexOf('=', StringComparison.Ordinal) + 1)..]))],
            Window = parse.GetValue(window),
            ServerDll = parse.GetValue(serverDll),
            Warmup = parse.GetValue(warmup),
            WarmupJitLimitSeconds = parse.GetValue(smoke) ? 0 : parse.GetValue(warmupJitLimit),
            WarmupHints = parse.GetValue(warmupHints),
            Premint = parse.GetValue(premint),
            HintLifetimeSeconds = parse.GetValue(hintLifetime),
            Smoke = parse.GetValue(smoke),
            CommandLine = string.Join(' ', args),
        }, cancellationToken));
        return root;
    }

    /// <summary><c>ab-summary</c>: the pairs, means and spreads of an A/B (scripts/bench-ab.sh) from the runs' JSON reports.</summary>
    private static Command AbSummaryCommand()
    {
        var baseRuns = new Option<string[]>("--base") { Description = "The A runs' JSON reports, in run order.", AllowMultipleArgumentsPerToken = true, Required = true };
        var headRuns = new Option<string[]>("--head") { Description = "The B runs' JSON reports, in run order.", AllowMultipleArgumentsPerToken = true, Required = true };
        var baseLabel = new Option<string>("--base-label") { Description = "What A is (a commit).", DefaultValueFactory = _ => "base" };
        var headLabel = new Option<string>("--head-label") { Description = "What B is.", DefaultValueFactory = _ => "head" };
        var command = new Command("ab-summary", "Summarise an A/B of JSON reports: each pair, mean, min–max and standard deviation of server CPU per operation and of the floor ratio.")
        {
            baseRuns, headRuns, baseLabel, headLabel,
        };
        command.SetAction(parse =>
        {
            try
            {
                Console.Write(AbSummary.Format(parse.GetValue(baseLabel)!, parse.GetValue(headLabel)!,
                    [.. parse.GetValue(baseRuns)!.Select(AbRun.Read)], [.. parse.GetValue(headRuns)!.Select(AbRun.Read)]));
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.Text.Json.JsonException or KeyNotFoundException)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 2;
            }
        });
        return command;
    }

    private static Option<int> Bounded(Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError($"{option.Name} must be between {min:N0} and {max:N0} (was {value:N0}).");
            }
        });
        return option;
    }
}
