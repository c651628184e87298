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

    /// <summary>Hints to mint before timing, warm-up excluded.</summary>
    public int PremintCount => Math.Min(Logins, Premint
        ?? (HintLifetimeSeconds > (int)HintSupply.DefaultLifetime.TotalSeconds ? Logins : AutoPremintLimit));

    public int Logins { get; init; } = 20_000;
    public int Concurrency { get; init; } = 32;
    public int DurationLimitSeconds { get; init; } = 600;
    public BenchDatabase Database { get; init; } = BenchDatabase.Sqlite;
    public RequestObjectMode RequestObject { get; init; } = RequestObjectMode.None;
    public string? ConnectionString { get; init; }
    public int? ServerCpu { get; init; }
    public int? DriverCpu { get; init; }
    public string? JsonPath { get; init; }
    public string? MarkdownPath { get; init; }
    public int Window { get; init; } = 50_000;
    public string? ServerDll { get; init; }
    public int Warmup { get; init; } = 200;
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
        var logins = Bounded(new Option<int>("--logins") { Description = "Timed logins to run (authorize + token + ID token check).", DefaultValueFactory = _ => 20_000 }, 1, BenchOptions.MaxLogins);
        var concurrency = Bounded(new Option<int>("--concurrency") { Description = "Concurrent workers, one login in flight each.", DefaultValueFactory = _ => 32 }, 1, 1024);
        var durationLimit = Bounded(new Option<int>("--duration-limit") { Description = "Stop starting new logins after this many seconds of timed run.", DefaultValueFactory = _ => 600 }, 1, 24 * 3600);
        var database = new Option<string>("--database") { Description = "sqlite or postgresql.", DefaultValueFactory = _ => "sqlite" };
        database.AcceptOnlyFromAmong("sqlite", "postgresql");
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
        var premint = new Option<int?>("--premint") { Description = "Hints minted before timing starts, on every core (at most --logins); the rest are minted on the driver's core while the run goes. Default: all of them up to 300,000, or all with --hint-lifetime." };
        premint.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && (value < 0 || value > BenchOptions.MaxLogins))
            {
                result.AddError($"--premint must be between 0 and {BenchOptions.MaxLogins:N0} (was {value:N0}).");
            }
        });
        var hintLifetime = Bounded(new Option<int>("--hint-lifetime") { Description = "Seconds from iat to exp of every hint; the server is started with Corbado__MaxAge set to match (it allows at most 3600). Longer than 300 lets a long run be pre-minted whole.", DefaultValueFactory = _ => (int)HintSupply.DefaultLifetime.TotalSeconds }, 120, 3600);

        var smoke = new Option<bool>("--smoke") { Description = "Print only the logins and errors (the test script's smoke run), no progress and no target verdicts; exit 1 on any failed login." };

        var root = new RootCommand("Corbado.Oidc login benchmark: starts the server, drives full passkey logins, reports throughput, latency and cost.")
        {
            logins, concurrency, durationLimit, database, requestObject, connectionString, serverCpu, driverCpu, json, markdown, markdownBlock, window, serverDll, serverEnvironment, warmup, premint, hintLifetime, smoke,
        };
        root.SetAction((parse, cancellationToken) => run(new BenchOptions
        {
            Logins = parse.GetValue(logins),
            Concurrency = parse.GetValue(concurrency),
            DurationLimitSeconds = parse.GetValue(durationLimit),
            Database = parse.GetValue(database) == "postgresql" ? BenchDatabase.PostgreSql : BenchDatabase.Sqlite,
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
            Premint = parse.GetValue(premint),
            HintLifetimeSeconds = parse.GetValue(hintLifetime),
            Smoke = parse.GetValue(smoke),
            CommandLine = string.Join(' ', args),
        }, cancellationToken));
        return root;
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
