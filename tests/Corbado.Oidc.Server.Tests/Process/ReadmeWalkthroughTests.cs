using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// Issue 12: README.md's "Try the whole flow by hand" block, run by bash exactly as written, against a server started
/// the way the README's first command starts it: Development environment, the project's appsettings files, SQLite in a
/// data folder of its working directory. Two declared stand-ins keep the test fast and out of anybody's way: the built
/// server binary instead of <c>dotnet run</c> (a shell function takes the place of
/// <c>dotnet run --project src/Corbado.Oidc.Server --</c>, which would build the project first), and a free loopback
/// port instead of 5080 (replaced in the block's text and in the issuer, as a server on another port would be set up).
/// </summary>
public sealed partial class ReadmeWalkthroughTests : IDisposable
{
    private const string StartCommand = "dotnet run --project src/Corbado.Oidc.Server";
    private const string ReadmeAddress = "127.0.0.1:5080";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));

    public ReadmeWalkthroughTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task ReadmeWalkthrough_PastedIntoBash_PrintsTheDecodedIdTokenOfAlice()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "README.md"));
        var blocks = ShellBlock().Matches(readme).Select(match => match.Groups[1].Value).ToList();
        var walkthrough = ShellBlock().Match(readme, readme.IndexOf("## Try the whole flow by hand", StringComparison.Ordinal)).Groups[1].Value;
        Assert.Equal(StartCommand, blocks[0].Trim());
        Assert.True(walkthrough.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 12, walkthrough);

        var address = $"127.0.0.1:{LoopbackPorts.Free()}";
        var environment = new Dictionary<string, string?>
        {
            // What the launch profile and the project folder give `dotnet run`.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_CONTENTROOT"] = AppContext.BaseDirectory,
            ["ASPNETCORE_URLS"] = $"http://{address}",
            ["Oidc__Issuer"] = $"http://{address}/",
            ["HOME"] = _directory,
        };
        using var server = ServerProcess.Start(environment, [], _directory);
        await server.WaitUntilReadyAsync(new Uri($"http://{address}/"), TimeSpan.FromSeconds(60));

        var script = $$"""
            dotnet() {
              if [ "$1 $2 $3 $4" = "run --project src/Corbado.Oidc.Server --" ]; then shift 4; command dotnet '{{ServerProcess.ServerDll}}' "$@"
              else echo "not the README's command: dotnet $*" >&2; return 97; fi
            }
            {{walkthrough.Replace(ReadmeAddress, address, StringComparison.Ordinal)}}
            """;
        using var shell = ServerProcess.StartProgram("bash", ["-c", script], environment, _directory);
        var exitCode = await shell.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var claimsLine = shell.Output.Split('\n').LastOrDefault(line => line.StartsWith("{\"", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"No decoded ID token printed. Output:\n{shell.Output}\nServer:\n{server.Output}");
        using var claims = JsonDocument.Parse(claimsLine);
        Assert.Equal(0, exitCode);
        Assert.Equal($"http://{address}/", claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal("alice", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal("demo", claims.RootElement.GetProperty("aud").GetString());
        Assert.Equal("n1", claims.RootElement.GetProperty("nonce").GetString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the folder is under the temp directory.
        }
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
