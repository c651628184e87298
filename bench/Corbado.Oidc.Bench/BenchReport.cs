using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Corbado.Oidc.Bench;

/// <summary>Everything one run measured; written to the console, to JSON and to the Markdown results block.</summary>
public sealed record BenchReport
{
    public static string BeginMarker(string block) => $"<!-- bench:{block}:begin -->";
    public static string EndMarker(string block) => $"<!-- bench:{block}:end -->";

    public required DateTimeOffset GeneratedAt { get; init; }
    public required string Command { get; init; }
    public required MachineInfo Machine { get; init; }
    /// <summary>1-minute load average when timing started and when it ended (driver and server included).</summary>
    public required double LoadAverageBefore { get; init; }
    public required double LoadAverageAfter { get; init; }
    public required RunSettings Settings { get; init; }
    /// <summary><c>shipped</c> (the image's configuration, the default) or <c>quiet</c> (<c>--quiet-server</c>).</summary>
    public required string Configuration { get; init; }
    /// <summary>The entry point the detailed sections describe (the first one run).</summary>
    public required string Entry { get; init; }

    public required int Requested { get; init; }
    public required int Attempted { get; init; }
    public required int Succeeded { get; init; }
    public required int Failed { get; init; }
    public required string StoppedBy { get; init; }
    public required double DurationSeconds { get; init; }
    public required double LoginsPerSecond { get; init; }

    public required IReadOnlyDictionary<string, LatencySummary> LatencyMs { get; init; }
    public required IReadOnlyDictionary<string, long> Errors { get; init; }
    public required IReadOnlyCollection<string> ErrorSamples { get; init; }

    public required double ServerCpuSeconds { get; init; }
    public required double ServerCpuMsPerLogin { get; init; }
    /// <summary>Server CPU seconds per wall second of the timed run (1.0 = one core busy).</summary>
    public required double ServerCoresBusy { get; init; }
    public required double DriverCpuSeconds { get; init; }
    public required double DriverCoresBusy { get; init; }
    /// <summary>Driver CPU (all its threads, hint producer included) per attempted login, µs.</summary>
    public required double DriverCpuMicrosecondsPerLogin { get; init; }
    /// <summary>Peak resident memory of the driver (VmHWM), pre-minted hints included.</summary>
    public required double DriverPeakRssMb { get; init; }

    /// <summary>The floor the ratio uses: the lower of <see cref="CryptoFloorBefore"/> and <see cref="CryptoFloorAfter"/>.</summary>
    public required CryptoFloorResult CryptoFloor { get; init; }
    public required CryptoFloorResult CryptoFloorBefore { get; init; }
    public required CryptoFloorResult CryptoFloorAfter { get; init; }
    /// <summary>Server CPU per login divided by the floor (one RS256 sign + one verify).</summary>
    public required double FloorRatio { get; init; }

    public required double PeakRssMb { get; init; }
    public required double RssAfterMb { get; init; }
    /// <summary>Threads in the server process when timing ended (the thread pool grows when requests block).</summary>
    public required int ServerThreadsAfter { get; init; }
    public required long DatabaseBytesBefore { get; init; }
    public required long DatabaseBytesAfter { get; init; }
    public required double DatabaseBytesPerLogin { get; init; }
    /// <summary>Bytes the server wrote to standard output and error per operation (its log lines, as drained).</summary>
    public required double LogBytesPerLogin { get; init; }
    /// <summary>The Prometheus scrapes of the management port during the timed run (shipped configuration).</summary>
    public required ScrapeStats Scrapes { get; init; }
    /// <summary>Every entry point run, on every database: CPU per operation against its own floor.</summary>
    public required IReadOnlyList<EntryPointResult> EntryPoints { get; init; }

    public required IReadOnlyList<WindowStats> Windows { get; init; }
    /// <summary>Last full window against the first: change in logins/s and in p99, percent. Null without two full windows.</summary>
    public double? ThroughputChangePercent { get; init; }
    public double? P99ChangePercent { get; init; }
    public double? ServerCpuChangePercent { get; init; }

    public required HintStats Hints { get; init; }
    public required IReadOnlyList<TargetCheck> Targets { get; init; }
    public required bool Passed { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToConsole()
    {
        var s = new StringBuilder();
        s.AppendLine(I($"Corbado.Oidc login benchmark — {Configuration} configuration, {Settings.Database}, {Entry}, request object {RequestObjectName(Settings.RequestObject)}, C={Settings.Concurrency}, server CPU {Cpu(Settings.ServerCpu)}, driver CPU {Cpu(Settings.DriverCpu)}"));
        s.AppendLine("  configuration     " + Settings.ServerMode);
        s.AppendLine(I($"  logins            {Succeeded:N0} ok / {Attempted:N0} attempted / {Requested:N0} requested ({StoppedBy})"));
        s.AppendLine(I($"  duration          {DurationSeconds:N2} s (load average {LoadAverageBefore:N2} → {LoadAverageAfter:N2})"));
        s.AppendLine(I($"  throughput        {LoginsPerSecond:N1} logins/s"));
        s.AppendLine();
        s.AppendLine("  latency (ms)        p50      p95      p99      max     mean");
        foreach (var (name, l) in LatencyMs)
        {
            s.AppendLine(I($"  {name,-14} {l.P50,8:N2} {l.P95,8:N2} {l.P99,8:N2} {l.Max,8:N2} {l.Mean,8:N2}"));
        }

        s.AppendLine();
        AppendErrors(s, "  errors            ");

        s.AppendLine(I($"  server CPU        {ServerCpuMsPerLogin:N3} ms/login ({ServerCpuSeconds:N1} s, {ServerCoresBusy:N2} cores busy)"));
        s.AppendLine(I($"  driver CPU        {DriverCpuMicrosecondsPerLogin:N1} µs/login ({DriverCpuSeconds:N1} s, {DriverCoresBusy:N2} cores busy; peak RSS {DriverPeakRssMb:N0} MB)"));
        s.AppendLine(I($"  crypto floor      {CryptoFloor.FloorMicroseconds:N1} µs (RSA-{CryptoFloor.ModulusBits} sign {CryptoFloor.SignMicroseconds:N1} µs + verify {CryptoFloor.VerifyMicroseconds:N1} µs; the lower of {CryptoFloorBefore.FloorMicroseconds:N1} µs before the load and {CryptoFloorAfter.FloorMicroseconds:N1} µs after)"));
        s.AppendLine(I($"  CPU / floor       {FloorRatio:N2}×"));
        s.AppendLine(I($"  peak RSS          {PeakRssMb:N1} MB (after run {RssAfterMb:N1} MB, {ServerThreadsAfter} threads)"));
        s.AppendLine(I($"  database          {Mb(DatabaseBytesBefore)} before, {Mb(DatabaseBytesAfter)} after ({DatabaseBytesPerLogin:N0} bytes/login)"));
        s.AppendLine(I($"  server output     {LogBytesPerLogin:N0} bytes/login drained; {ScrapeText(Scrapes)}"));
        s.AppendLine(I($"  hints             {Hints.Preminted:N0} pre-minted in {Hints.PremintSeconds:N1} s ({Hints.PremintPerSecond:N0}/s, lifetime {Hints.LifetimeSeconds} s), {Hints.Minted:N0} minted in all, {Hints.StaleDropped:N0} stale dropped, {Hints.StarvedWaits:N0} waits for the producer ({Hints.StarvedSeconds:N2} s)"));
        s.AppendLine();
        s.AppendLine(I($"  window (every {Settings.Window:N0})   logins/s      p50      p99  server CPU ms/login"));
        foreach (var w in Windows)
        {
            s.AppendLine(I($"  #{w.Window,-3} {w.FirstLogin,9:N0}-{w.LastLogin,-9:N0}{(w.Partial ? "*" : " ")} {w.LoginsPerSecond,10:N1} {w.P50Ms,8:N2} {w.P99Ms,8:N2} {CpuPerLogin(w),10}"));
        }

        if (ThroughputChangePercent is { } t && P99ChangePercent is { } p)
        {
            s.AppendLine(I($"  growth (last full window vs first): logins/s {t:+0.0;-0.0}%, p99 {p:+0.0;-0.0}%{(ServerCpuChangePercent is { } c ? $", server CPU/login {c:+0.0;-0.0}%" : "")}"));
        }

        s.AppendLine();
        s.AppendLine("  entry points (server CPU per operation against each one's own RSA floor)");
        s.AppendLine("  database    entry          ops     ops/s  CPU ms/op  floor µs  CPU/floor   p50 ms   p99 ms  log B/op  JIT %  warm-up  errors");
        foreach (var e in EntryPoints)
        {
            s.AppendLine(I($"  {e.Database,-10}  {e.Entry,-9} {e.Succeeded,8:N0} {e.OperationsPerSecond,9:N1} {e.ServerCpuMsPerOperation,10:N3} {e.FloorMicroseconds,9:N1} {e.FloorRatio,9:N2}× {e.P50Ms,8:N2} {e.P99Ms,8:N2} {e.LogBytesPerOperation,9:N0} {e.JitPercent,6:N2} {e.Warmup.Seconds,6:N1} s  {ErrorText(e.Errors)}"));
        }

        s.AppendLine();
        foreach (var target in Targets)
        {
            s.AppendLine(I($"  target {target.Name,-44} {target.Measured,-22} {target.Verdict}"));
        }

        s.AppendLine(Passed ? "PASS: every login completed without an error." : "FAIL: see errors above.");
        return s.ToString();
    }

    /// <summary>
    /// The smoke run's facts and nothing else: how many logins completed and which errors occurred. Speed is not its
    /// question (a shared test machine), so no target verdict is printed that could read like a failure.
    /// </summary>
    public string ToSmokeSummary()
    {
        var s = new StringBuilder();
        s.AppendLine(I($"Benchmark smoke run, {Configuration} configuration, request object {RequestObjectName(Settings.RequestObject)}:"));
        foreach (var e in EntryPoints)
        {
            s.AppendLine(I($"  {e.Database} {e.Entry}: {e.Succeeded:N0} of {e.Requested:N0} completed ({e.StoppedBy}), errors {ErrorText(e.Errors)}{(Configuration == ServerConfiguration.ShippedName ? $", {ScrapeText(e.Scrapes)}" : "")}"));
        }

        foreach (var sample in ErrorSamples)
        {
            s.AppendLine("    e.g. " + sample.ReplaceLineEndings(" "));
        }
        s.Append(Passed ? "PASS: every login completed without an error." : "FAIL: see errors above.");
        return s.ToString();
    }

    private void AppendErrors(StringBuilder s, string label)
    {
        s.AppendLine(label + (Errors.Count == 0 ? "none" : string.Join(", ", Errors.Select(e => I($"{e.Key}={e.Value}")))));
        foreach (var sample in ErrorSamples)
        {
            s.AppendLine("    e.g. " + sample.ReplaceLineEndings(" "));
        }
    }

    public string ToMarkdownBlock(string block = "results")
    {
        var s = new StringBuilder();
        s.AppendLine(BeginMarker(block));
        s.AppendLine(I($"Generated {GeneratedAt:yyyy-MM-dd HH:mm} UTC by `dotnet run --project bench/Corbado.Oidc.Bench -c Release -- {Command}`."));
        s.AppendLine();
        s.AppendLine(I($"**Machine:** {Machine.CpuModel}{(Machine.CpuMhz is null ? "" : $" ({Machine.CpuMhz} MHz)")}, {Machine.CpuinfoProcessors} processors in /proc/cpuinfo, nproc {Machine.Nproc}, {Machine.MemoryMb:N0} MB RAM, Linux {Machine.Kernel}, {Machine.Runtime}. Load average {LoadAverageBefore:N2} when timing started, {LoadAverageAfter:N2} at the end (the benchmark itself accounts for up to 2; more means other work shared the machine)."));
        s.AppendLine();
        s.AppendLine(I($"**Configuration:** {Settings.ServerMode}."));
        s.AppendLine();
        s.AppendLine(I($"**Run:** {Settings.Database}, {Entry}, {(Settings.RequestObject == RequestObjectMode.Hs256 ? "parameters in an HS256 request object" : "parameters in the query")}, {Succeeded:N0} of {Requested:N0} logins ({StoppedBy}) after {WarmupText(EntryPoints[0].Warmup)}, concurrency {Settings.Concurrency}, server on CPU {Cpu(Settings.ServerCpu)}, driver on CPU {Cpu(Settings.DriverCpu)}."));
        s.AppendLine();
        s.AppendLine("| Measure | Value |");
        s.AppendLine("|---|---|");
        s.AppendLine(I($"| Logins/s | {LoginsPerSecond:N1} ({DurationSeconds:N1} s) |"));
        s.AppendLine(I($"| Errors | {(Errors.Count == 0 ? "none" : string.Join(", ", Errors.Select(e => $"{e.Key} {e.Value}")))} |"));
        s.AppendLine(I($"| Server CPU per login | {ServerCpuMsPerLogin:N3} ms ({ServerCoresBusy:N2} cores busy) |"));
        s.AppendLine(I($"| Crypto floor (RSA-{CryptoFloor.ModulusBits} RS256 sign + verify) | {CryptoFloor.FloorMicroseconds:N1} µs (sign {CryptoFloor.SignMicroseconds:N1}, verify {CryptoFloor.VerifyMicroseconds:N1}); the lower of {CryptoFloorBefore.FloorMicroseconds:N1} µs before the load and {CryptoFloorAfter.FloorMicroseconds:N1} µs after |"));
        s.AppendLine(I($"| Server CPU / floor | {FloorRatio:N2}× |"));
        s.AppendLine(I($"| Peak RSS (VmHWM) | {PeakRssMb:N1} MB ({ServerThreadsAfter} server threads at the end) |"));
        s.AppendLine(I($"| Database size | {Mb(DatabaseBytesBefore)} → {Mb(DatabaseBytesAfter)} ({DatabaseBytesPerLogin:N0} bytes/login) |"));
        s.AppendLine(I($"| Server output | {LogBytesPerLogin:N0} bytes/login drained; {ScrapeText(Scrapes)} |"));
        s.AppendLine(I($"| Driver CPU | {DriverCpuMicrosecondsPerLogin:N1} µs per login ({DriverCoresBusy:N2} cores busy), peak RSS {DriverPeakRssMb:N0} MB |"));
        s.AppendLine(I($"| Hints | {Hints.Preminted:N0} pre-minted ({Hints.PremintPerSecond:N0}/s, lifetime {Hints.LifetimeSeconds} s), {Hints.Minted - Hints.Preminted - Settings.Warmup:N0} minted during the run, {Hints.StarvedSeconds:N2} s waited |"));
        s.AppendLine();
        s.AppendLine("| Database | Entry point | Operations | Ops/s | Server CPU / op | Floor (RSA) | CPU / floor | p50 ms | p99 ms | Log bytes / op | JIT % of CPU | Warm-up | Errors |");
        s.AppendLine("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var e in EntryPoints)
        {
            s.AppendLine(I($"| {e.Database} | {e.Entry} | {e.Succeeded:N0} | {e.OperationsPerSecond:N1} | {e.ServerCpuMsPerOperation:N3} ms | {e.FloorMicroseconds:N1} µs ({e.FloorOperations}) | {e.FloorRatio:N2}× | {e.P50Ms:N2} | {e.P99Ms:N2} | {e.LogBytesPerOperation:N0} | {e.JitPercent:N2} | {WarmupText(e.Warmup)} | {ErrorText(e.Errors)} |"));
        }

        s.AppendLine();
        s.AppendLine("| Latency (ms) | p50 | p95 | p99 | max |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (name, l) in LatencyMs)
        {
            s.AppendLine(I($"| {name} | {l.P50:N2} | {l.P95:N2} | {l.P99:N2} | {l.Max:N2} |"));
        }

        s.AppendLine();
        s.AppendLine(I($"| Window ({Settings.Window:N0} logins) | Logins | Logins/s | p50 ms | p99 ms | Server CPU ms/login |"));
        s.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var w in Windows)
        {
            s.AppendLine(I($"| {w.Window}{(w.Partial ? " (partial)" : "")} | {w.FirstLogin:N0}–{w.LastLogin:N0} | {w.LoginsPerSecond:N1} | {w.P50Ms:N2} | {w.P99Ms:N2} | {CpuPerLogin(w)} |"));
        }

        s.AppendLine();
        s.AppendLine("| Target | Measured | Verdict |");
        s.AppendLine("|---|---|---|");
        foreach (var target in Targets)
        {
            s.AppendLine(I($"| {target.Name} | {target.Measured} | {target.Verdict} |"));
        }

        s.Append(EndMarker(block));
        return s.ToString();
    }

    /// <summary>Replaces the generated block of a Markdown file (or appends one), leaving the rest untouched.</summary>
    public void WriteMarkdown(string path, string block = "results")
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var beginMarker = BeginMarker(block);
        var endMarker = EndMarker(block);
        var begin = text.IndexOf(beginMarker, StringComparison.Ordinal);
        var end = begin < 0 ? -1 : text.IndexOf(endMarker, begin, StringComparison.Ordinal);
        text = begin >= 0 && end >= 0
            ? string.Concat(text.AsSpan(0, begin), ToMarkdownBlock(block), text.AsSpan(end + endMarker.Length))
            : text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + ToMarkdownBlock(block) + "\n";
        WriteFile(path, text);
    }

    public void WriteJson(string path) => WriteFile(path, ToJson() + "\n");

    private static void WriteFile(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text);
    }

    private static string ErrorText(IReadOnlyDictionary<string, long> errors) => errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => I($"{e.Key} {e.Value}")));

    private static string ScrapeText(ScrapeStats scrapes) => scrapes.IntervalSeconds == 0 ? "no metrics scrape"
        : I($"{scrapes.Succeeded} scrapes of /metrics every {scrapes.IntervalSeconds} s ({(scrapes.Succeeded > 0 ? scrapes.Bytes / scrapes.Succeeded : 0):N0} bytes each), {scrapes.Failed} failed");

    private static string WarmupText(WarmupStats warmup) => warmup.LastSliceJitPercent is not { } jit
        ? I($"{warmup.Operations:N0} warm-up operations")
        : I($"{warmup.Operations:N0} warm-up operations in {warmup.Seconds:N1} s, {(warmup.Settled ? "until" : "not settled at the limit:")} the JIT thread took {jit:N1} % of the server's CPU");

    private static string CpuPerLogin(WindowStats window) => window.ServerCpuMsPerLogin is { } ms ? I($"{ms:N3}") : "–";

    private static string RequestObjectName(RequestObjectMode mode) => mode.ToString().ToLowerInvariant();

    private static string Cpu(int? cpu) => cpu?.ToString(CultureInfo.InvariantCulture) ?? "any";

    private static string Mb(long bytes) => I($"{bytes / 1048576.0:N2} MB");

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The settings of the run, as reported.</summary>
public sealed record RunSettings(BenchDatabase Database, RequestObjectMode RequestObject, int Concurrency, int DurationLimitSeconds, int? ServerCpu, int? DriverCpu,
    int Window, int Warmup, int Premint, string ServerMode);

/// <summary>
/// Where the hints came from: how many were minted before timing (warm-up's not counted), in how long and how fast
/// (warm-up's included, every core), their lifetime, and what the in-run producer had to do.
/// </summary>
public sealed record HintStats(int Preminted, int LifetimeSeconds, double PremintSeconds, double PremintPerSecond, long Minted, long StaleDropped,
    long StarvedWaits, double StarvedSeconds);

/// <summary>One of the documented targets, the measured value and whether it was met (or why it does not apply).</summary>
public sealed record TargetCheck(string Name, string Measured, string Verdict);
