using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench;

/// <summary>One benchmark run, start to finish: server up, keys and hints ready, warm-up, timed run, report, server down.</summary>
public static class BenchRun
{
    private static readonly BenchClient Client = new("bench-rp", "bench-secret-" + Guid.NewGuid().ToString("N"), "https://rp.bench.local/callback");

    /// <summary>Set for a smoke run: progress lines are left out (see <see cref="BenchOptions.Smoke"/>).</summary>
    private static bool _quiet;

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        _quiet = options.Smoke;
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

        var serverDll = options.ServerDll ?? ServerUnderTest.DefaultServerDll();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "corbado-oidc-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);

        // One passkey-issuer key per minting thread, all published in the JWKS file the server trusts.
        var minterCount = Math.Max(1, Environment.ProcessorCount);
        var keys = Enumerable.Range(0, minterCount).Select(_ => TestSigningKey.CreateRsa()).ToArray();
        var minters = keys.Select(k => new HintMinter(k, HintMinter.DefaultProjectId, TimeProvider.System)).ToArray();
        var jwksFile = Path.Combine(dataDirectory, "passkey-jwks.json");
        await File.WriteAllTextAsync(jwksFile, TestSigningKey.ToJwksJson(keys), cancellationToken);

        var (settings, connectionString, sqliteFile) = await ServerSettingsAsync(options, dataDirectory, jwksFile);
        Log($"starting {serverDll} ({options.Database}, request object {options.RequestObject}{(options.ServerCpu is { } sc ? $", CPU {sc}" : "")})");
        await using var server = await ServerUnderTest.StartAsync(serverDll, dataDirectory, settings, options.ServerCpu, cancellationToken);
        Log($"server ready: pid {server.ProcessId}, {server.BaseAddress}, issuer {server.Issuer}");
        // Never leave the server behind: Ctrl-C and process exit kill it too (DisposeAsync covers the normal path).
        ConsoleCancelEventHandler onCancel = (_, _) => server.KillNow();
        EventHandler onExit = (_, _) => server.KillNow();
        Console.CancelKeyPress += onCancel;
        AppDomain.CurrentDomain.ProcessExit += onExit;
        try
        {
            return await MeasureAsync(options, server, minters, connectionString, sqliteFile, cancellationToken);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            AppDomain.CurrentDomain.ProcessExit -= onExit;
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    private static async Task<int> MeasureAsync(BenchOptions options, ServerUnderTest server, HintMinter[] minters, string? connectionString,
        string? sqliteFile, CancellationToken cancellationToken)
    {
        using var http = CreateHttpClient(server.BaseAddress, options.Concurrency);

        // Discovery and keys, fetched once before timing; the issuer proves X-Forwarded-Proto: https is honoured.
        var discovery = await GetJsonAsync(http, ".well-known/openid-configuration", cancellationToken);
        var advertisedIssuer = discovery.GetProperty("issuer").GetString();
        if (advertisedIssuer != server.Issuer.AbsoluteUri)
        {
            throw new InvalidOperationException($"Discovery names the issuer {advertisedIssuer}, expected {server.Issuer}.");
        }

        var jwksUri = new Uri(discovery.GetProperty("jwks_uri").GetString()!);
        var jwksJson = await GetStringAsync(http, jwksUri.PathAndQuery.TrimStart('/'), cancellationToken);
        var modulusBits = new JsonWebKeySet(jwksJson).Keys.FirstOrDefault(k => k.Kty == "RSA" && k.Use != "enc") is { } rsaKey
            ? Base64UrlEncoder.DecodeBytes(rsaKey.N).Length * 8
            : throw new InvalidOperationException("The server's JWKS has no RSA signing key.");

        Log($"measuring the crypto floor (RSA-{modulusBits}, one thread{(options.ServerCpu is { } c ? $" on CPU {c}" : "")})");
        var floorBefore = CryptoFloor.Measure(modulusBits, options.ServerCpu);

        // Pre-minting runs on every core, before the driver is pinned: the server is idle, and a million hints would
        // otherwise take an hour of the driver's one core.
        var premint = options.PremintCount;
        await using var hints = new HintSupply(minters, TimeSpan.FromSeconds(options.HintLifetimeSeconds), channelCapacity: 10_000);
        Log($"minting {options.Warmup + premint:N0} hints ({minters.Length} threads, lifetime {options.HintLifetimeSeconds} s)");
        var mintWatch = Stopwatch.StartNew();
        hints.Fill(options.Warmup + premint);
        var mintSeconds = mintWatch.Elapsed.TotalSeconds;
        Log(I($"minted in {mintSeconds:N1} s ({(options.Warmup + premint) / mintSeconds:N0} hints/s, {hints.BatchBytes / 1048576.0:N0} MB of buffers)"));

        if (options.DriverCpu is { } pinDriverTo)
        {
            CpuAffinity.PinProcess(pinDriverTo);
        }

        using var verifier = new IdTokenVerifier(jwksJson, server.Issuer, Client);
        var driver = new LoginDriver(http, server.Issuer, Client, verifier, hints, options.RequestObject);
        var limit = TimeSpan.FromSeconds(options.DurationLimitSeconds);

        if (options.Warmup > 0)
        {
            Log($"warm-up: {options.Warmup:N0} logins");
            var warm = await driver.RunAsync(options.Warmup, options.Concurrency, limit, log: null, () => !server.HasExited, cancellationToken);
            if (warm.Failed > 0)
            {
                throw new InvalidOperationException($"Warm-up logins failed ({string.Join(", ", driver.Errors.Select(e => $"{e.Key}={e.Value}"))}):{Environment.NewLine}" +
                    string.Join(Environment.NewLine, driver.ErrorSamples) + Environment.NewLine + server.RecentOutput());
            }
        }

        // The rest of the hints are minted while the run goes, and a replacement for each stale one dropped.
        hints.StartProducer(options.Logins - premint, limit: 3L * (options.Warmup + options.Logins) + 10_000);
        driver.ResetErrors();
        GC.Collect();

        var databaseBefore = await DatabaseBytesAsync(connectionString, sqliteFile, cancellationToken);
        var log = new LatencyLog(options.Logins, options.Window, () => server.HasExited ? double.NaN : server.CpuSeconds());
        Log($"timed run: {options.Logins:N0} logins, concurrency {options.Concurrency}, limit {options.DurationLimitSeconds} s");
        var loadBefore = MachineInfo.LoadAverage();
        var serverCpuBefore = server.CpuSeconds();
        var driverCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var timingStarted = Stopwatch.GetTimestamp();
        using var progress = StartProgress(log, options.Logins, timingStarted);

        var result = await driver.RunAsync(options.Logins, options.Concurrency, limit, log, () => !server.HasExited, cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: the numbers describe nothing, so no report and no files are written.
            throw new OperationCanceledException(cancellationToken);
        }

        var loadAfter = MachineInfo.LoadAverage();
        var serverAlive = !server.HasExited;
        var serverCpu = serverAlive ? server.CpuSeconds() - serverCpuBefore : double.NaN;
        var driverCpu = (Process.GetCurrentProcess().TotalProcessorTime - driverCpuBefore).TotalSeconds;
        var peakRss = serverAlive ? server.PeakResidentBytes() : 0;
        var rssAfter = serverAlive ? server.ResidentBytes() : 0;
        var threadsAfter = serverAlive ? server.ThreadCount() : 0;
        await progress.DisposeAsync();
        // Again on the server's core, now idle: the machine's speed drifts, and the ratio uses the lower floor.
        Log("measuring the crypto floor again, after the load");
        var floorAfter = CryptoFloor.Measure(modulusBits, options.ServerCpu);
        var databaseAfter = serverAlive ? await DatabaseBytesAsync(connectionString, sqliteFile, cancellationToken) : 0;

        var driverPeakRss = MachineInfo.OwnPeakResidentBytes();
        var windows = log.Windows(timingStarted, serverCpuBefore, serverCpuBefore + serverCpu);
        var report = BuildReport(options, result, log, windows, driver, hints, premint, mintSeconds, floorBefore, floorAfter, serverCpu, driverCpu, peakRss,
            rssAfter, driverPeakRss, databaseBefore, databaseAfter) with { LoadAverageBefore = loadBefore, LoadAverageAfter = loadAfter, ServerThreadsAfter = threadsAfter };
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
            Log($"wrote {json}");
        }

        if (options.MarkdownPath is { } markdown)
        {
            report.WriteMarkdown(markdown, options.MarkdownBlock);
            Log($"rewrote the '{options.MarkdownBlock}' block of {markdown}");
        }

        return report.Passed ? 0 : 1;
    }

    private static BenchReport BuildReport(BenchOptions options, DriveResult result, LatencyLog log, IReadOnlyList<WindowStats> windows,
        LoginDriver driver, HintSupply hints, int premint, double mintSeconds, CryptoFloorResult floorBefore, CryptoFloorResult floorAfter,
        double serverCpu, double driverCpu, long peakRss, long rssAfter, long driverPeakRss, long databaseBefore, long databaseAfter)
    {
        var floor = CryptoFloorResult.Lower(floorBefore, floorAfter);
        var seconds = result.Elapsed.TotalSeconds;
        var cpuMsPerLogin = result.Attempted > 0 ? serverCpu * 1000 / result.Attempted : 0;
        var ratio = floor.FloorMicroseconds > 0 ? cpuMsPerLogin * 1000 / floor.FloorMicroseconds : 0;
        var full = windows.Where(w => !w.Partial).ToList();
        double? throughputChange = full.Count >= 2 ? Percent(full[0].LoginsPerSecond, full[^1].LoginsPerSecond) : null;
        double? p99Change = full.Count >= 2 ? Percent(full[0].P99Ms, full[^1].P99Ms) : null;
        double? cpuChange = full.Count >= 2 && full[0].ServerCpuMsPerLogin is { } firstCpu && full[^1].ServerCpuMsPerLogin is { } lastCpu
            ? Percent(firstCpu, lastCpu)
            : null;
        var passed = driver.ErrorCount == 0 && result.Failed == 0
            && (result.Succeeded == options.Logins || result.StoppedBy == "duration_limit") && result.Succeeded > 0;

        var latency = new Dictionary<string, LatencySummary>(StringComparer.Ordinal)
        {
            ["login"] = log.Login(),
            ["authorize"] = log.Authorize(),
            ["token"] = log.Token(),
            ["verify"] = log.Verify(),
        };
        var loginsPerSecond = seconds > 0 ? result.Succeeded / seconds : 0;

        return new BenchReport
        {
            GeneratedAt = DateTimeOffset.UtcNow,
            Command = options.CommandLine,
            Machine = MachineInfo.Read(),
            LoadAverageBefore = double.NaN,
            LoadAverageAfter = double.NaN,
            Settings = new RunSettings(options.Database, options.RequestObject, options.Concurrency, options.DurationLimitSeconds, options.ServerCpu, options.DriverCpu,
                options.Window, options.Warmup, premint, "ASPNETCORE_ENVIRONMENT=Production, https issuer behind X-Forwarded-Proto, rate limiting off, log level Warning, runtime settings of deploy/Dockerfile ("
                + string.Join(" ", ServerUnderTest.ImageRuntimeSettings().Select(setting => setting.Key + "=" + setting.Value)) + ")"),
            Requested = options.Logins,
            Attempted = result.Attempted,
            Succeeded = result.Succeeded,
            Failed = result.Failed,
            StoppedBy = result.StoppedBy,
            DurationSeconds = Math.Round(seconds, 3),
            LoginsPerSecond = Math.Round(loginsPerSecond, 1),
            LatencyMs = latency,
            Errors = driver.Errors,
            ErrorSamples = driver.ErrorSamples,
            ServerCpuSeconds = Math.Round(serverCpu, 2),
            ServerCpuMsPerLogin = Math.Round(cpuMsPerLogin, 4),
            ServerCoresBusy = seconds > 0 ? Math.Round(serverCpu / seconds, 2) : 0,
            DriverCpuSeconds = Math.Round(driverCpu, 2),
            DriverCoresBusy = seconds > 0 ? Math.Round(driverCpu / seconds, 2) : 0,
            DriverCpuMicrosecondsPerLogin = result.Attempted > 0 ? Math.Round(driverCpu * 1e6 / result.Attempted, 1) : 0,
            DriverPeakRssMb = Math.Round(driverPeakRss / 1048576.0, 1),
            CryptoFloor = floor,
            CryptoFloorBefore = floorBefore,
            CryptoFloorAfter = floorAfter,
            FloorRatio = Math.Round(ratio, 2),
            PeakRssMb = Math.Round(peakRss / 1048576.0, 1),
            RssAfterMb = Math.Round(rssAfter / 1048576.0, 1),
            ServerThreadsAfter = 0,
            DatabaseBytesBefore = databaseBefore,
            DatabaseBytesAfter = databaseAfter,
            DatabaseBytesPerLogin = result.Succeeded > 0 ? Math.Round((databaseAfter - databaseBefore) / (double)result.Succeeded, 1) : 0,
            Windows = windows,
            ThroughputChangePercent = throughputChange,
            P99ChangePercent = p99Change,
            ServerCpuChangePercent = cpuChange,
            Hints = new HintStats(premint, options.HintLifetimeSeconds, Math.Round(mintSeconds, 2),
                mintSeconds > 0 ? Math.Round((options.Warmup + premint) / mintSeconds) : 0, hints.Minted, hints.StaleDropped, hints.StarvedWaits,
                Math.Round(hints.StarvedTime.TotalSeconds, 3)),
            Targets = Targets(options, loginsPerSecond, ratio, latency["login"].P99, peakRss / 1048576.0, result.Succeeded, throughputChange, p99Change,
                cpuChange),
            Passed = passed,
        };
    }

    /// <summary>The targets docs/benchmarks.md sets, checked only where this run's set-up makes them meaningful.</summary>
    private static List<TargetCheck> Targets(BenchOptions options, double loginsPerSecond, double ratio, double p99, double peakRssMb, int logins,
        double? throughputChange, double? p99Change, double? cpuChange)
    {
        static string Verdict(bool met) => met ? "met" : "not met";
        var pinned = options.ServerCpu is not null;
        // Server CPU per login belongs in the comparison: a run bound by its driver shows no loss of throughput while
        // the server's cost per login grows.
        var growth = throughputChange is { } t && p99Change is { } p
            ? new TargetCheck("Growth within 15% after 1M logins",
                I($"logins/s {t:+0.0;-0.0}%, p99 {p:+0.0;-0.0}%{(cpuChange is { } c ? $", server CPU/login {c:+0.0;-0.0}%" : "")}"),
                logins >= 1_000_000 ? Verdict(t >= -15 && p <= 15 && (cpuChange ?? 0) <= 15) : I($"indicative only ({logins:N0} logins)"))
            : new TargetCheck("Growth within 15% after 1M logins", "fewer than two full windows", "not measured");
        return
        [
            new("≥ 1,500 logins/s, server on 1 core", I($"{loginsPerSecond:N1} logins/s"), pinned ? Verdict(loginsPerSecond >= 1500) : "n/a (server not pinned)"),
            new("Server CPU/login ≤ 2× crypto floor", I($"{ratio:N2}×"), Verdict(ratio <= 2)),
            new("p99 ≤ 30 ms at C=32", I($"{p99:N2} ms at C={options.Concurrency}"), options.Concurrency == 32 ? Verdict(p99 <= 30) : "n/a (C ≠ 32)"),
            new("Peak RSS ≤ 250 MB", I($"{peakRssMb:N1} MB"), Verdict(peakRssMb <= 250)),
            growth,
        ];
    }

    private static async Task<(Dictionary<string, string> Settings, string? ConnectionString, string? SqliteFile)> ServerSettingsAsync(
        BenchOptions options, string dataDirectory, string jwksFile)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado__JwksFile"] = jwksFile,
            ["Corbado__UseDevelopmentIssuer"] = "false",
            ["RateLimiting__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Clients__0__ClientId"] = Client.ClientId,
            ["Clients__0__ClientSecret"] = Client.ClientSecret,
            ["Clients__0__RedirectUris__0"] = Client.RedirectUri,
        };

        if (options.RequestObject == RequestObjectMode.Hs256)
        {
            // HS256 request objects are keyed with the client secret, which a client must opt in to (ClientRegistration).
            settings["Clients__0__AllowSymmetricRequestObjects"] = "true";
        }

        if (options.HintLifetimeSeconds != (int)HintSupply.DefaultLifetime.TotalSeconds)
        {
            // Long runs pre-mint long-lived hints; the server must accept an iat that old (SignedPasskeyDataVerifier).
            settings["Corbado__MaxAge"] = TimeSpan.FromSeconds(options.HintLifetimeSeconds).ToString("c", CultureInfo.InvariantCulture);
        }

        // The runtime settings of the production image (deploy/Dockerfile), so the benchmark measures what is deployed.
        foreach (var (key, value) in ServerUnderTest.ImageRuntimeSettings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in options.ServerEnvironment)
        {
            settings[key] = value;
        }

        if (options.Database == BenchDatabase.PostgreSql)
        {
            var connectionString = options.ConnectionString;
            if (connectionString is null)
            {
                Log("starting a throwaway PostgreSQL cluster");
                connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
                // The cluster stops itself at process exit; this handler, added later, runs after it and removes its files.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveThrowawayClusters();
            }

            settings["Database__Provider"] = "PostgreSql";
            settings["ConnectionStrings__Oidc"] = connectionString;
            return (settings, connectionString, null);
        }

        var sqliteFile = Path.Combine(dataDirectory, "oidc.db");
        settings["Database__Provider"] = "Sqlite";
        settings["ConnectionStrings__Oidc"] = "Data Source=" + sqliteFile;
        return (settings, null, sqliteFile);
    }

    private static void RemoveThrowawayClusters()
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

    private static async Task<long> DatabaseBytesAsync(string? connectionString, string? sqliteFile, CancellationToken cancellationToken) =>
        sqliteFile is not null ? DatabaseSize.Sqlite(sqliteFile) : await DatabaseSize.PostgreSqlAsync(connectionString!, cancellationToken);

    private static HttpClient CreateHttpClient(Uri baseAddress, int concurrency)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // TLS ends at the (imaginary) proxy in front of the server; the server trusts loopback's forwarded headers.
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return client;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await GetStringAsync(http, path, cancellationToken));
        return document.RootElement.Clone();
    }

    private static async Task<string> GetStringAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"GET /{path} answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>A progress line every ten seconds on stderr, so long runs show they are alive.</summary>
    private static Progress StartProgress(LatencyLog log, int total, long startedAt) => new(log, total, startedAt);

    private sealed class Progress : IAsyncDisposable, IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Progress(LatencyLog log, int total, long startedAt)
        {
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    var seconds = Stopwatch.GetElapsedTime(startedAt).TotalSeconds;
                    Log(I($"{log.Count:N0}/{total:N0} logins, {seconds:N0} s, {log.Count / seconds:N0} logins/s"));
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested)
            {
                _stop.Cancel();
            }

            _stop.Dispose();
        }
    }

    private static double Percent(double first, double last) => first > 0 ? Math.Round((last - first) / first * 100, 1) : 0;

    private static void Log(string message)
    {
        if (!_quiet)
        {
            Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
        }
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
