using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Corbado.Oidc.Testing;

/// <summary>
/// The server binary as a separate process (<c>dotnet Corbado.Oidc.Server.dll</c>), configured by environment
/// variables only, as an operator runs it: administration verbs, start-up failures, crash and restart.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Standard output and error, interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The server DLL copied next to the test assembly by the project reference.</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Corbado.Oidc.Server.dll");

    /// <summary>
    /// Starts the binary with <paramref name="arguments"/>; <paramref name="runAs"/> wraps it (for example setpriv, or
    /// taskset for the benchmark); <paramref name="serverDll"/> replaces <see cref="ServerDll"/>.
    /// </summary>
    public static ServerProcess Start(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> arguments, string workingDirectory,
        IEnumerable<string>? runAs = null, string? serverDll = null)
    {
        var prefix = runAs?.ToList() ?? [];
        return StartProgram(prefix.Count > 0 ? prefix[0] : "dotnet",
            prefix.Skip(1).Concat(prefix.Count > 0 ? ["dotnet"] : []).Append(serverDll ?? ServerDll).Concat(arguments), environment, workingDirectory);
    }

    /// <summary>Starts <paramref name="command"/>, an executable and its arguments (see <see cref="StartProgram"/>).</summary>
    public static ServerProcess StartCommand(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
        => StartProgram(command[0], command.Skip(1), environment, workingDirectory);

    /// <summary>
    /// Any program (for example bash running a documented shell block, or a systemd unit's ExecStart) with the server's
    /// environment handling: inherited ASPNETCORE_* and section__key variables removed, <paramref name="environment"/>
    /// set, output captured.
    /// </summary>
    public static ServerProcess StartProgram(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment,
        string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        // Required outside Development (Audit:SubjectHashSalt); a test that is about the setting sets or removes it.
        start.Environment[TestAuditSalt.Variable] = TestAuditSalt.Value;
        // Required outside Development too (Keys:EncryptionKey); likewise set or removed by the tests about it.
        start.Environment["Keys__EncryptionKey"] = CorbadoOidcServerFactory.KeyEncryptionKey;
        // Tiered compilation, as deploy/Dockerfile and the systemd unit run the server: the project file turns it off, and
        // then every method is compiled fully optimised on its first call, which doubles the CPU of a process that lives
        // for seconds (an administration verb: about 6-8 s of CPU instead of 3-4 s), and the suite starts hundreds of them.
        start.Environment["DOTNET_TieredCompilation"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ServerProcess(Process.Start(start)!);
    }

    /// <summary>Runs an administration verb to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?> environment, string workingDirectory, params string[] arguments)
    {
        using var process = Start(environment, arguments, workingDirectory);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, process.Output);
    }

    /// <summary>Waits for the process to end (bounded) and returns its exit code; kills it on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The server process did not exit within {timeout}. Output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200 (bounded).</summary>
    public async Task WaitUntilReadyAsync(Uri baseAddress, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}. Output:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("health/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe slower than 5 s (a starting replica on a loaded machine); the deadline still bounds the wait.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server was not ready within {timeout}. Output:\n{Output}");
    }

    /// <summary>SIGTERM: a graceful stop, as <c>docker stop</c>, systemd and Kubernetes ask for one.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>SIGKILL: no shutdown hooks, no flush, as a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>The audit subject-hash salt every test server gets unless the test sets its own.</summary>
public static class TestAuditSalt
{
    public const string Variable = "Audit__SubjectHashSalt";
    public const string Value = "test-audit-salt-0123456789abcdef-0123456789";
}
