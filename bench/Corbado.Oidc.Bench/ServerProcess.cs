using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>
/// The server under test as a child process on a loopback port, configured by environment variables only, with a fresh
/// data directory. Disposing it kills the process tree and removes the directory.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly string _dataDirectory;
    private int _disposed;

    private ServerProcess(Process process, Uri baseAddress, Uri issuer, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        Issuer = issuer;
        _dataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Where the driver sends requests (plain HTTP on loopback).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public https issuer; TLS is assumed at a proxy, so every request says X-Forwarded-Proto: https.</summary>
    public Uri Issuer { get; }

    public int ProcessId => _process.Id;

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

    public static string DefaultServerDll() =>
        Path.Combine(FindRepositoryRoot(), "src", "Corbado.Oidc.Server", "bin", "Release", "net10.0", "Corbado.Oidc.Server.dll");

    public static async Task<ServerProcess> StartAsync(string serverDll, string dataDirectory, IReadOnlyDictionary<string, string> settings,
        int? cpu, CancellationToken cancellationToken)
    {
        if (!File.Exists(serverDll))
        {
            throw new FileNotFoundException($"The server was not found at {serverDll}; build it first (dotnet build -c Release) or pass --server-dll.");
        }

        var port = LoopbackPorts.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var issuer = new Uri($"https://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(cpu is null ? "dotnet" : "taskset")
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(serverDll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpu is { } n)
        {
            // taskset execs dotnet, so the pid stays the server's and every thread it starts inherits the mask.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(n.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(Path.GetFullPath(serverDll));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority);
        start.Environment["Oidc__Issuer"] = issuer.AbsoluteUri;
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        var server = new ServerProcess(process, baseAddress, issuer, dataDirectory);
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
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
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
    public string RecentOutput()
    {
        lock (_output)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync($"warning: could not confirm the server (pid {_process.Id}) stopped: {e.Message}");
        }
        finally
        {
            _process.Dispose();
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

    /// <summary>Kills the server without waiting (Ctrl-C, process exit).</summary>
    public void KillNow()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        string last = "no answer";
        while (deadline.Elapsed < limit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready:{Environment.NewLine}{RecentOutput()}");
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "health/ready");
                request.Headers.Add("X-Forwarded-Proto", "https");
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "timeout";
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The server was not ready within {limit.TotalSeconds:N0} s (last: {last}):{Environment.NewLine}{RecentOutput()}");
    }

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 40)
            {
                _output.Dequeue();
            }
        }
    }
}
