using System.Diagnostics;
using System.Text;

namespace Corbado.Oidc.Bench.Tests;

/// <summary>Runs a program of the repository (the benchmark, a script) to completion, bounded, and keeps what it printed.</summary>
internal static class BenchProcess
{
    public static string RepositoryRoot => Corbado.Oidc.Testing.RepositoryFiles.Root;

    /// <summary>The server build the test project carries (the same configuration as the tests).</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Corbado.Oidc.Server.dll");

    public static string BenchDll => Path.Combine(AppContext.BaseDirectory, "Corbado.Oidc.Bench.dll");

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout}. Output:\n{output}\n{errors}");
        }

        process.WaitForExit();
        lock (output)
        {
            lock (errors)
            {
                return (process.ExitCode, output.ToString(), errors.ToString());
            }
        }
    }
}
