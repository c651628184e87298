using System.Diagnostics;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>What one timed run of one entry point measured, before it is turned into a report.</summary>
public sealed record EntryMeasurement(BenchDatabase Database, EntryPoint Entry, DriveResult Result, LatencyLog Log, OperationDriver Driver,
    double ServerCpuBefore, double ServerCpu, double DriverCpu, long TimingStartedAt, double LoadBefore, double LoadAfter, long LogBytes,
    ScrapeStats Scrapes, long DatabaseBefore, long DatabaseAfter, int ServerThreadsAfter, WarmupStats Warmup, double JitCpuSeconds);

/// <summary>
/// The warm-up before an entry point's timed run: operations, seconds, and the tiered-compilation thread's share of the
/// server's CPU in its last slice (null when the warm-up did not wait for the JIT to settle).
/// </summary>
public sealed record WarmupStats(int Operations, double Seconds, double? LastSliceJitPercent, bool Settled);

/// <summary>One server's share of a run: its entry points, its floor and its process figures.</summary>
public sealed record ServerMeasurement(BenchDatabase Database, IReadOnlyList<EntryMeasurement> Entries, CryptoFloorResult FloorBefore,
    CryptoFloorResult FloorAfter, long PeakRss, long RssAfter, int Premint, double MintSeconds, HintStats Hints);

/// <summary>
/// One benchmark run, start to finish: for each database, a server up in the chosen configuration, keys and hints
/// ready, then for each entry point a warm-up and a timed run (with the metrics scrape in the shipped configuration),
/// the floor before and after, the server down; then the report.
/// </summary>
public static class BenchRun
{
    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        BenchLog.Quiet = options.Smoke;
        try
        {
            return await RunCoreAsync(options, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or FileNotFoundException or HttpRequestException or IOException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 2;
        }
        catch (OperationCanceledException e)
        {
            // A request of the set-up that timed out (not Ctrl-C): say where.
            await Console.Error.WriteLineAsync("error: timed out: " + e);
            return 2;
        }
    }

    private static async Task<int> RunCoreAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        foreach (var cpu in new[] { options.ServerCpu, options.DriverCpu })
        {
            if (cpu is { } n && (n < 0 || n >= Environment.ProcessorCount))
            {
                throw new InvalidOperationException($"CPU {n} does not exist here (0 to {Environment.ProcessorCount - 1}).");
            }
        }

        var configuration = options.QuietServer ? ServerConfiguration.Quiet() : ServerConfiguration.Shipped(options.ScrapeIntervalSeconds);
        var serverDll = options.ServerDll ?? ServerUnderTest.DefaultServerDll();
        var servers = new List<ServerMeasurement>();
        foreach (var database in options.Databases)
        {
            servers.Add(await MeasureServerAsync(options, configuration, database, serverDll, cancellationToken));
        }

        var report = BenchReportBuilder.Build(options, configuration, servers);
        if (options.Smoke)
        {
            Console.WriteLine(report.ToSmokeSummary());
            return report.Passed ? 0 : 1;
        }

        Console.WriteLine();
        Console.Write(report.ToConsole());
        if (options.JsonPath is { } json)
        {
            report.WriteJson(json);
            BenchLog.Write($"wrote {json}");
        }

        if (options.MarkdownPath is { } markdown)
        {
            report.WriteMarkdown(markdown, options.MarkdownBlock);
            BenchLog.Write($"rewrote the '{options.MarkdownBlock}' block of {markdown}");
        }

        return report.Passed ? 0 : 1;
    }

    private static async Task<ServerMeasurement> MeasureServerAsync(BenchOptions options, ServerConfiguration configuration, BenchDatabase database,
        string serverDll, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "corbado-oidc-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);

        // One passkey-issuer key per minting thread, all published in the JWKS file the server trusts.
        var keys = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => TestSigningKey.CreateRsa()).ToArray();
        try
        {
            var minters = keys.Select(k => new HintMinter(k, HintMinter.DefaultProjectId, TimeProvider.System)).ToArray();
            var jwksFile = Path.Combine(dataDirectory, "passkey-jwks.json");
            await File.WriteAllTextAsync(jwksFile, TestSigningKey.ToJwksJson(keys), cancellationToken);

            var (settings, connectionString, sqliteFile) = await BenchServerSettings.BuildAsync(options, configuration, database, dataDirectory, jwksFile);
            BenchLog.Write($"starting {serverDll} ({database}, {configuration.Name} configuration, request object {options.RequestObject}{(options.ServerCpu is { } sc ? $", CPU {sc}" : "")})");
            await using var server = await ServerUnderTest.StartAsync(serverDll, dataDirectory, settings,
                configuration.ManagementPort ? LoopbackPorts.Free() : null, options.ServerCpu, ServerOutputFile(options, database), cancellationToken);
            BenchLog.Write($"server ready: pid {server.ProcessId}, {server.BaseAddress}, issuer {server.Issuer}");
            // Never leave the server behind: Ctrl-C and process exit kill it too (DisposeAsync covers the normal path).
            ConsoleCancelEventHandler onCancel = (_, _) => server.KillNow();
            EventHandler onExit = (_, _) => server.KillNow();
            Console.CancelKeyPress += onCancel;
            AppDomain.CurrentDomain.ProcessExit += onExit;
            try
            {
                return await MeasureEntriesAsync(options, configuration, database, server, minters, connectionString, sqliteFile, cancellationToken);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                AppDomain.CurrentDomain.ProcessExit -= onExit;
            }
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    /// <summary>Where <c>--server-output</c> keeps the server's standard output; one file per database.</summary>
    private static string? ServerOutputFile(BenchOptions options, BenchDatabase database) => options.ServerOutput is not { } path ? null
        : options.Databases.Count == 1 ? path
        : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + "-" + database.ToString().ToLowerInvariant() + Path.GetExtension(path));

    private static async Task<ServerMeasurement> MeasureEntriesAsync(BenchOptions options, ServerConfiguration configuration, BenchDatabase database,
        ServerUnderTest server, HintMinter[] minters, string? connectionString, string? sqliteFile, CancellationToken cancellationToken)
    {
        using var http = BenchHttp.CreateClient(server.BaseAddress, options.Concurrency);
        var (jwksJson, modulusBits) = await BenchHttp.DiscoverAsync(http, server.Issuer, cancellationToken);

        BenchLog.Write($"measuring the crypto floor (RSA-{modulusBits}, one thread{(options.ServerCpu is { } c ? $" on CPU {c}" : "")})");
        var floorBefore = CryptoFloor.Measure(modulusBits, options.ServerCpu, options.FloorIterations, Math.Max(1, options.FloorIterations / 10));

        // Pre-minting runs on every core, before the driver is pinned: the server is idle, and a million hints would
        // otherwise take an hour of the driver's one core.
        var hintsNeeded = options.Entries.Sum(entry => EntryPoints.HintsNeeded(entry, options.Warmup + options.Logins, options.Concurrency)
            + (EntryPoints.UsesHintPerOperation(entry) ? options.WarmupHintAllowance : 0));
        var premint = Math.Min(hintsNeeded, options.PremintCount(hintsNeeded));
        await using var hints = new HintSupply(minters, TimeSpan.FromSeconds(options.HintLifetimeSeconds), channelCapacity: 10_000);
        BenchLog.Write($"minting {premint:N0} hints ({minters.Length} threads, lifetime {options.HintLifetimeSeconds} s)");
        var mintWatch = Stopwatch.StartNew();
        hints.Fill(premint);
        var mintSeconds = mintWatch.Elapsed.TotalSeconds;
        BenchLog.Write(BenchLog.I($"minted in {mintSeconds:N1} s ({premint / Math.Max(mintSeconds, 1e-6):N0} hints/s, {hints.BatchBytes / 1048576.0:N0} MB of buffers)"));

        if (options.DriverCpu is { } pinDriverTo)
        {
            CpuAffinity.PinProcess(pinDriverTo);
        }

        // The rest of the hints are minted while the runs go, and a replacement for each stale one dropped.
        hints.StartProducer(hintsNeeded - premint, limit: 3L * hintsNeeded + 10_000);
        var measurements = new List<EntryMeasurement>();
        using var stopWatching = new CancellationTokenSource();
        var watchingJit = server.WatchJitThreads(stopWatching.Token);
        foreach (var entry in options.Entries)
        {
            var client = BenchClients.For(entry);
            var verifier = new IdTokenVerifier(jwksJson, server.Issuer, client);
            OperationDriver driver = entry switch
            {
                EntryPoint.Browser => new LoginDriver(http, server.Issuer, client, verifier, hints, options.RequestObject),
                EntryPoint.Exchange => new TokenExchangeDriver(http, client, verifier, hints),
                EntryPoint.Refresh => new RefreshDriver(http, client, verifier, hints),
                EntryPoint.Hosted => new LoginDriver(http, server.Issuer, client, verifier, hints, RequestObjectMode.None, LoginMode.HostedPasskey),
                EntryPoint.Session => new LoginDriver(http, server.Issuer, client, verifier, hints, RequestObjectMode.None, LoginMode.Session),
                _ => new VerifyApiDriver(http, client, hints),
            };
            measurements.Add(await MeasureEntryAsync(options, configuration, database, entry, server, driver, hints, connectionString, sqliteFile, cancellationToken));
        }

        await stopWatching.CancelAsync();
        await watchingJit;
        var peakRss = server.HasExited ? 0 : server.PeakResidentBytes();
        var rssAfter = server.HasExited ? 0 : server.ResidentBytes();
        // Again on the server's core, now idle: the machine's speed drifts, and the ratio uses the lower floor.
        BenchLog.Write("measuring the crypto floor again, after the load");
        var floorAfter = CryptoFloor.Measure(modulusBits, options.ServerCpu, options.FloorIterations, Math.Max(1, options.FloorIterations / 10));
        var hintStats = new HintStats(premint, options.HintLifetimeSeconds, Math.Round(mintSeconds, 2),
            mintSeconds > 0 ? Math.Round(premint / mintSeconds) : 0, hints.Minted, hints.StaleDropped, hints.StarvedWaits,
            Math.Round(hints.StarvedTime.TotalSeconds, 3));
        return new ServerMeasurement(database, measurements, floorBefore, floorAfter, peakRss, rssAfter, premint, mintSeconds, hintStats);
    }

    private static async Task<EntryMeasurement> MeasureEntryAsync(BenchOptions options, ServerConfiguration configuration, BenchDatabase database,
        EntryPoint entry, ServerUnderTest server, OperationDriver driver, HintSupply hints, string? connectionString, string? sqliteFile,
        CancellationToken cancellationToken)
    {
        var name = EntryPoints.Name(entry);
        var limit = TimeSpan.FromSeconds(options.DurationLimitSeconds);
        await driver.PrepareAsync(options.Concurrency, cancellationToken);
        var warmup = await WarmUpAsync(options, configuration, entry, server, driver, hints, name, limit, cancellationToken);

        driver.ResetErrors();
        GC.Collect();

        var databaseBefore = await BenchServerSettings.DatabaseBytesAsync(connectionString, sqliteFile, cancellationToken);
        var log = new LatencyLog(options.Logins, options.Window, () => server.HasExited ? double.NaN : server.CpuSeconds());
        BenchLog.Write($"{name}: timed run, {options.Logins:N0} operations, concurrency {options.Concurrency}, limit {options.DurationLimitSeconds} s");
        var scraper = configuration.ManagementPort && server.ManagementAddress is { } management
            ? new MetricsScraper(management, TimeSpan.FromSeconds(configuration.ScrapeIntervalSeconds),
                maxScrapes: options.DurationLimitSeconds / configuration.ScrapeIntervalSeconds + 1)
            : null;
        var loadBefore = MachineInfo.LoadAverage();
        var logBytesBefore = server.OutputBytes();
        var serverCpuBefore = server.CpuSeconds();
        var jitCpuBefore = server.JitThreadCpuSeconds();
        var driverCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var timingStarted = Stopwatch.GetTimestamp();
        var progress = new Progress(log, options.Logins, timingStarted, entry switch { EntryPoint.Browser or EntryPoint.Hosted or EntryPoint.Session => "logins", EntryPoint.Refresh => "refreshes", EntryPoint.Verify => "verifications", _ => name + "s" });

        DriveResult result;
        ScrapeStats scrapes;
        try
        {
            result = await driver.RunAsync(options.Logins, options.Concurrency, limit, log, () => !server.HasExited, cancellationToken);
        }
        finally
        {
            scrapes = scraper is null ? ScrapeStats.None : await scraper.StopAsync();
            await progress.DisposeAsync();
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: the numbers describe nothing, so no report and no files are written.
            throw new OperationCanceledException(cancellationToken);
        }

        var loadAfter = MachineInfo.LoadAverage();
        var serverAlive = !server.HasExited;
        var serverCpu = serverAlive ? server.CpuSeconds() - serverCpuBefore : double.NaN;
        var jitCpu = serverAlive ? server.JitThreadCpuSeconds() - jitCpuBefore : double.NaN;
        var driverCpu = (Process.GetCurrentProcess().TotalProcessorTime - driverCpuBefore).TotalSeconds;
        var threadsAfter = serverAlive ? server.ThreadCount() : 0;
        // The drain runs behind the server by at most a pipe's worth; a moment lets it catch up before the count.
        await Task.Delay(200, cancellationToken);
        var logBytes = server.OutputBytes() - logBytesBefore;
        if (scraper?.FirstFailure is { } scrapeFailure)
        {
            BenchLog.Write($"warning: {scrapes.Failed} scrapes of /metrics failed, e.g. {scrapeFailure}");
        }

        var databaseAfter = serverAlive ? await BenchServerSettings.DatabaseBytesAsync(connectionString, sqliteFile, cancellationToken) : 0;
        return new EntryMeasurement(database, entry, result, log, driver, serverCpuBefore, serverCpu, driverCpu, timingStarted, loadBefore, loadAfter,
            logBytes, scrapes, databaseBefore, databaseAfter, threadsAfter, warmup, jitCpu);
    }

    /// <summary>
    /// <c>--warmup</c> operations, then (unless <c>--warmup-jit-limit 0</c>) slices of load until the tiered-compilation
    /// thread goes quiet: with tiering and dynamic PGO, as the image runs, the runtime recompiles hot methods for
    /// 10-20 s after load starts, on the server's one core (a quarter of it, measured with perf), and a timed run that
    /// started earlier would charge that one-off cost to every login.
    /// </summary>
    private static async Task<WarmupStats> WarmUpAsync(BenchOptions options, ServerConfiguration configuration, EntryPoint entry, ServerUnderTest server,
        OperationDriver driver, HintSupply hints, string name, TimeSpan limit, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var operations = 0;
        if (options.Warmup > 0)
        {
            BenchLog.Write($"{name}: warm-up, {options.Warmup:N0} operations");
            var warm = await driver.RunAsync(options.Warmup, options.Concurrency, limit, log: null, () => !server.HasExited, cancellationToken);
            ThrowIfFailed(warm);
            operations += warm.Attempted;
        }

        if (options.WarmupJitLimitSeconds <= 0)
        {
            return new WarmupStats(operations, Math.Round(watch.Elapsed.TotalSeconds, 1), null, false);
        }

        BenchLog.Write($"{name}: warming up until the JIT settles (at most {options.WarmupJitLimitSeconds} s)");
        var deadline = TimeSpan.FromSeconds(options.WarmupJitLimitSeconds);
        var slice = TimeSpan.FromSeconds(BenchOptions.JitSliceSeconds);
        double? lastPercent = null;
        var quietSlices = 0;
        var jitLimit = watch.Elapsed + deadline;
        var hintBudget = options.WarmupHintAllowance;
        var lastSliceOperations = 0;
        // Prometheus scrapes the shipped server all the time: the exporter's code warms up with the rest.
        var scraper = configuration.ManagementPort && server.ManagementAddress is { } management
            ? new MetricsScraper(management, TimeSpan.FromSeconds(configuration.ScrapeIntervalSeconds), maxScrapes: options.WarmupJitLimitSeconds / configuration.ScrapeIntervalSeconds + 1)
            : null;
        try
        {
            // Settled: two slices in a row under the threshold (the thread works in bursts).
            while (quietSlices < 2 && watch.Elapsed < jitLimit && !server.HasExited)
            {
                var cpuBefore = server.CpuSeconds();
                var jitBefore = server.JitThreadCpuSeconds();
                var count = 100_000;
                if (EntryPoints.UsesHintPerOperation(entry))
                {
                    // Every operation takes a hint: past the pre-minted allowance, the producer is owed this slice's
                    // hints before it starts (twice the last slice's operations), and the slice takes no more than
                    // that, so no operation waits for a hint nobody will mint. What a slice leaves is the timed run's.
                    var wanted = Math.Max(BenchOptions.MinWarmupSliceHints, 2 * lastSliceOperations);
                    if (hintBudget < wanted)
                    {
                        hints.Owe(wanted - hintBudget);
                        hintBudget = wanted;
                    }

                    count = hintBudget;
                }

                // A slice is bounded by time (no new operation starts after it) and by count.
                var warm = await driver.RunAsync(count, options.Concurrency, slice, log: null, () => !server.HasExited, cancellationToken);
                ThrowIfFailed(warm);
                operations += warm.Attempted;
                hintBudget -= warm.Attempted;
                lastSliceOperations = warm.Attempted;
                var cpu = server.CpuSeconds() - cpuBefore;
                lastPercent = cpu > 0 ? Math.Round(100 * (server.JitThreadCpuSeconds() - jitBefore) / cpu, 2) : null;
                quietSlices = lastPercent is { } percent && percent < BenchOptions.JitSettledPercent ? quietSlices + 1 : 0;
            }
        }
        finally
        {
            // A failed slice throws: the scraper stops with it, not in the middle of the next entry point's run.
            if (scraper is not null)
            {
                await scraper.StopAsync();
            }
        }

        var settled = quietSlices >= 2;

        BenchLog.Write(BenchLog.I($"{name}: warm-up done, {operations:N0} operations in {watch.Elapsed.TotalSeconds:N1} s; JIT thread {lastPercent:N1} % of the server's CPU in the last slice{(settled ? "" : " (not settled: the limit came first)")}"));
        return new WarmupStats(operations, Math.Round(watch.Elapsed.TotalSeconds, 1), lastPercent, settled);

        void ThrowIfFailed(DriveResult warm)
        {
            if (warm.Failed > 0)
            {
                throw new InvalidOperationException($"Warm-up of {name} failed ({string.Join(", ", driver.Errors.Select(e => $"{e.Key}={e.Value}"))}):{Environment.NewLine}" +
                    string.Join(Environment.NewLine, driver.ErrorSamples) + Environment.NewLine + server.RecentOutput());
            }
        }
    }
}
