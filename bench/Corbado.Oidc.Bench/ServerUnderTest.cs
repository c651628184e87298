using System.Diagnostics;
using System.Globalization;
using System.Text;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>
/// The server under test: <c>dotnet Corbado.Oidc.Server.dll</c> on a loopback port with a fresh data directory,
/// configured by environment variables only, pinned with taskset when asked. Its standard output and error are pipes
/// that the benchmark drains into files as a container runtime drains a container's (so the server pays for writing
/// its log lines to a pipe, as in the image, and the driver holds none of them in memory). Disposing it kills the
/// process tree and removes the directory.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private const int ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Task _drainOutput;
    private readonly Task _drainErrors;
    private int _disposed;

    private ServerUnderTest(Process process, Uri baseAddress, Uri issuer, Uri? managementAddress, string dataDirectory, string? outputFile)
    {
        _process = process;
        BaseAddress = baseAddress;
        Issuer = issuer;
        ManagementAddress = managementAddress;
        _dataDirectory = dataDirectory;
        OutputFile = outputFile is null ? Path.Combine(dataDirectory, "server.stdout.log") : Path.GetFullPath(outputFile);
        ErrorFile = Path.Combine(dataDirectory, "server.stderr.log");
        _drainOutput = Drain(process.StandardOutput.BaseStream, OutputFile);
        _drainErrors = Drain(process.StandardError.BaseStream, ErrorFile);
    }

    /// <summary>Where the driver sends requests (plain HTTP on loopback).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public https issuer; TLS is assumed at a proxy, so every request says X-Forwarded-Proto: https.</summary>
    public Uri Issuer { get; }

    /// <summary>The management port (<c>/metrics</c>), when the configuration has one.</summary>
    public Uri? ManagementAddress { get; }

    /// <summary>The drained standard output (the JSON log lines in the shipped configuration); in the data directory unless kept elsewhere.</summary>
    public string OutputFile { get; }

    public string ErrorFile { get; }

    public int ProcessId => _process.Id;

    private readonly Dictionary<string, double> _jitThreads = new(StringComparer.Ordinal);

    public bool HasExited => _process.HasExited;

    /// <summary>Bytes the server has written to standard output and error so far (as drained).</summary>
    public long OutputBytes() => FileLength(OutputFile) + FileLength(ErrorFile);

    public static string DefaultServerDll() =>
        Path.Combine(RepositoryFiles.Root(), "src", "Corbado.Oidc.Server", "bin", "Release", "net10.0", "Corbado.Oidc.Server.dll");

    /// <summary>
    /// Starts the server with <paramref name="settings"/> as environment (inherited ASP.NET Core and section__key
    /// variables removed, as an operator's clean environment), pinned to <paramref name="cpu"/> when given, and waits
    /// until it is ready (60 s at most). Its standard output goes to <paramref name="outputFile"/> when given (kept after
    /// the run), else to a file in the data directory.
    /// </summary>
    public static async Task<ServerUnderTest> StartAsync(string serverDll, string dataDirectory, IReadOnlyDictionary<string, string> settings,
        int? managementPort, int? cpu, string? outputFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(serverDll))
        {
            throw new FileNotFoundException($"The server was not found at {serverDll}; build it first (dotnet build -c Release) or pass --server-dll.");
        }

        var port = LoopbackPorts.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var issuer = new Uri($"https://127.0.0.1:{port}/");
        var fullPath = Path.GetFullPath(serverDll);
        // taskset execs dotnet, so the pid stays the server's and every thread it starts inherits the mask.
        var start = new ProcessStartInfo(cpu is null ? "dotnet" : "taskset")
        {
            WorkingDirectory = Path.GetDirectoryName(fullPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpu is { } n)
        {
            foreach (var argument in new[] { "-c", n.ToString(CultureInfo.InvariantCulture), "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.ArgumentList.Add(fullPath);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority);
        start.Environment["Oidc__Issuer"] = issuer.AbsoluteUri;
        // Production requires a key-encryption key and an audit salt; fresh ones per run (each run has its own database).
        start.Environment["Keys__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["Audit__SubjectHashSalt"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Uri? management = null;
        if (managementPort is { } mp)
        {
            start.Environment["Management__Port"] = mp.ToString(CultureInfo.InvariantCulture);
            start.Environment["Management__Host"] = "127.0.0.1";
            management = new Uri($"http://127.0.0.1:{mp}/");
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var server = new ServerUnderTest(Process.Start(start)!, baseAddress, issuer, management, dataDirectory, outputFile);
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>utime + stime of the server process, in seconds (/proc/pid/stat fields 14 and 15).</summary>
    public double CpuSeconds() => StatCpuSeconds($"/proc/{ProcessId}/stat");

    /// <summary>
    /// CPU seconds of the runtime's tiered-compilation thread (Linux names it <c>.NET Tiered Com</c>, the first 15
    /// characters of ".NET Tiered Compilation Worker"), since the server started: where hot methods are recompiled with
    /// full optimisation. While it is busy the server is still warming up, and its share of the server's CPU says how much.
    /// The runtime ends the thread when it has been idle a while and starts a new one later, and an ended thread's time
    /// leaves /proc: so each thread's last reading is kept by its id, and <see cref="WatchJitThreads"/> reads them often.
    /// </summary>
    public double JitThreadCpuSeconds()
    {
        lock (_jitThreads)
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{ProcessId}/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                    {
                        _jitThreads[Path.GetFileName(task)] = StatCpuSeconds(Path.Combine(task, "stat"));
                    }
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read: its last reading stays.
                }
            }

            return _jitThreads.Values.Sum();
        }
    }

    /// <summary>Reads the JIT threads every 250 ms until <paramref name="cancellationToken"/> ends, so an ended thread's time is kept.</summary>
    public async Task WatchJitThreads(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && !HasExited)
            {
                JitThreadCpuSeconds();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the run.
        }
        catch (DirectoryNotFoundException)
        {
            // The server is gone.
        }
    }

    private static double StatCpuSeconds(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis; field 3 is first.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return (utime + stime) / (double)ClockTicksPerSecond;
    }

    /// <summary>Peak resident set size in bytes (VmHWM), over the whole life of the process.</summary>
    public long PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    /// <summary>Current resident set size in bytes (VmRSS).</summary>
    public long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    public int ThreadCount() => (int)StatusKilobytes("Threads:");

    /// <summary>The last lines the server wrote (output, then errors), for a failure message.</summary>
    public string RecentOutput(int lines = 40) => (Tail(OutputFile, lines) + Environment.NewLine + Tail(ErrorFile, lines)).Trim();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        KillNow();
        try
        {
            // The pipes close with the process: the drains end.
            await Task.WhenAll(_drainOutput, _drainErrors).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException)
        {
            await Console.Error.WriteLineAsync($"warning: the server's output was not drained to the end: {e.Message}");
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>Kills the server and its process tree (Ctrl-C, process exit, disposal).</summary>
    public void KillNow()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or already disposed.
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await Task.WhenAll(_drainOutput, _drainErrors).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}. Output:\n{RecentOutput()}");
            }

            try
            {
                using var response = await client.GetAsync("health/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet, or too busy starting to answer within the client's timeout.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server was not ready within {timeout}. Output:\n{RecentOutput()}");
    }

    /// <summary>Copies a pipe to a file, block by block, until the writer closes it.</summary>
    private static Task Drain(Stream pipe, string path) => Task.Run(async () =>
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await pipe.ReadAsync(buffer)) > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, read));
            // Flushed at once, as a runtime's log file is readable while the container runs.
            await file.FlushAsync();
        }
    });

    private static long FileLength(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }

    private static string Tail(string path, int lines)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Max(0, stream.Length - 32 * 1024), SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return string.Join(Environment.NewLine, reader.ReadToEnd().Split('\n').TakeLast(lines + 1)).TrimEnd();
    }

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
