using System.Diagnostics;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>Runs a script of the <c>js/</c> folder with node, bounded in time.</summary>
internal static class NodeScript
{
    public const string InstallCommand = "npm ci --prefix tests/Corbado.Oidc.EndToEnd.Tests/js";

    /// <summary>The <c>js/</c> folder next to this project's sources (found from the test binaries upwards).</summary>
    public static string Folder() => Path.Combine(RepositoryFiles.Root, "tests", "Corbado.Oidc.EndToEnd.Tests", "js");

    /// <summary>Runs <c>node script arguments…</c> and returns its standard output; fails with its standard error otherwise.</summary>
    public static async Task<string> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var folder = Folder();
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            Assert.Fail($"{Path.Combine(folder, "node_modules")} is missing: run {InstallCommand} (scripts/test.sh does).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {script} did not finish within {timeout.TotalSeconds} s. stderr: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"node {script} exited with {process.ExitCode}. stderr: {await stderr} stdout: {await stdout}");
        }

        return await stdout;
    }
}
