using System.Globalization;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>
/// The server under test: the test suite's <see cref="ServerProcess"/> (launch, output, readiness, kill) on a loopback
/// port with a fresh data directory, plus what only the benchmark needs: pinning with taskset and the process's
/// accounting in /proc. Disposing it kills the process tree and removes the directory.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private const int ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly ServerProcess _process;
    private readonly string _dataDirectory;
    private int _disposed;

    private ServerUnderTest(ServerProcess process, Uri baseAddress, Uri issuer, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        Issuer = issuer;
        _dataDirectory = dataDirectory;
    }

    /// <summary>Where the driver sends requests (plain HTTP on loopback).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public https issuer; TLS is assumed at a proxy, so every request says X-Forwarded-Proto: https.</summary>
    public Uri Issuer { get; }

    public int ProcessId => _process.ProcessId;

    public bool HasExited => _process.HasExited;

    public static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Corbado.Oidc.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Corbado.Oidc.sln was not found above the current directory; pass --server-dll.");
    }

    /// <summary>The <c>DOTNET_*</c> variables the production image sets (<c>ENV</c> lines of deploy/Dockerfile).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ImageRuntimeSettings()
        => [.. System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(FindRepositoryRoot(), "deploy", "Dockerfile")), @"\b(DOTNET_\w+)=(\S+)")
            .Select(match => new KeyValuePair<string, string>(match.Groups[1].Value, match.Groups[2].Value))];

    public static string DefaultServerDll() =>
        Path.Combine(FindRepositoryRoot(), "src", "Corbado.Oidc.Server", "bin", "Release", "net10.0", "Corbado.Oidc.Server.dll");

    /// <summary>Starts the server with <paramref name="settings"/> as environment, pinned to <paramref name="cpu"/> when given, and waits until it is ready (60 s at most).</summary>
    public static async Task<ServerUnderTest> StartAsync(string serverDll, string dataDirectory, IReadOnlyDictionary<string, string> settings,
        int? cpu, CancellationToken cancellationToken)
    {
        if (!File.Exists(serverDll))
        {
            throw new FileNotFoundException($"The server was not found at {serverDll}; build it first (dotnet build -c Release) or pass --server-dll.");
        }

        var port = LoopbackPorts.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var issuer = new Uri($"https://127.0.0.1:{port}/");
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority),
            ["Oidc__Issuer"] = issuer.AbsoluteUri,
            // Production requires a key-encryption key; a fresh one per run (each run has its own database).
            ["Keys__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        // taskset execs dotnet, so the pid stays the server's and every thread it starts inherits the mask.
        string[]? pin = cpu is { } n ? ["taskset", "-c", n.ToString(CultureInfo.InvariantCulture)] : null;
        var fullPath = Path.GetFullPath(serverDll);
        var server = new ServerUnderTest(ServerProcess.Start(environment, [], Path.GetDirectoryName(fullPath)!, pin, fullPath), baseAddress, issuer, dataDirectory);
        try
        {
            await server._process.WaitUntilReadyAsync(baseAddress, TimeSpan.FromSeconds(60), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>utime + stime of the server process, in seconds (/proc/pid/stat fields 14 and 15).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
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

    /// <summary>The last lines the server wrote, for a failure message.</summary>
    public string RecentOutput(int lines = 40) => string.Join(Environment.NewLine, _process.Output.Split('\n').TakeLast(lines + 1)).TrimEnd();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // Kills the process tree and waits for it (ten seconds at most).
            await Task.Run(_process.Dispose);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync($"warning: could not confirm the server stopped: {e.Message}");
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>Kills the server (Ctrl-C, process exit).</summary>
    public void KillNow()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone, or already disposed.
        }
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
