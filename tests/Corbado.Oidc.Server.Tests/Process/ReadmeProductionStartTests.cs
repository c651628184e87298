using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// Issue 22: README.md's "minimal production start", run by bash as pasted, twice (a restart must find its keys), with
/// these stated substitutions and nothing else: the working directory is a fresh folder, and <c>dotnet publish</c> of the
/// project is the same command with <c>--no-build</c> on the project's absolute path (the suite has just built it);
/// <c>0.0.0.0:8080</c> is a free loopback port; the passkey backend's JWKS URL is a loopback stand-in serving a key set.
/// The test's own environment supplies none of the required secrets: the block has to.
/// </summary>
public sealed partial class ReadmeProductionStartTests : IDisposable
{
    private const string JwksUrl = "https://pro-1234567890.frontendapi.corbado.io/.well-known/jwks";
    private readonly string _directory = Directory.CreateTempSubdirectory("corbado-oidc-readme-").FullName;

    [Fact]
    public async Task ReadmeProductionStart_PastedIntoBash_StartsReady_AndARestartKeepsTheKeys()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "README.md"));
        var block = ShellBlock().Match(readme, readme.IndexOf("## Running in Production", StringComparison.Ordinal)).Groups[1].Value;
        Assert.StartsWith("dotnet publish src/Corbado.Oidc.Server -c Release -o out && cd out", block);

        using var issuerKey = TestSigningKey.CreateRsa();
        await using var backend = await FakePasskeyBackend.StartAsync();
        backend.JwksJson = TestSigningKey.ToJwksJson(issuerKey);
        var port = LoopbackPorts.Free();
        var script = $$"""
            dotnet() {
              if [ "$*" = "publish src/Corbado.Oidc.Server -c Release -o out" ]; then
                command dotnet publish '{{Path.Combine(RepositoryFiles.Root, "src", "Corbado.Oidc.Server")}}' -c Release --no-build --nologo -o out >/dev/null
              else command dotnet "$@"; fi
            }
            {{Deployment.PrometheusTests.Substitute(block, new()
            {
                ["0.0.0.0:8080"] = $"127.0.0.1:{port}",
                [JwksUrl] = backend.JwksUrl,
            })}}
            """;
        // No secret from the test: ServerProcess would otherwise set the audit salt and the key-encryption key.
        var environment = new Dictionary<string, string?> { [TestAuditSalt.Variable] = null, ["Keys__EncryptionKey"] = null, ["HOME"] = _directory };

        var first = await StartAndReadJwksAsync(script, environment, port);
        var second = await StartAndReadJwksAsync(script, environment, port);

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.True(File.Exists(Path.Combine(_directory, "out", "key-encryption-key")));
    }

    private async Task<List<string>> StartAndReadJwksAsync(string script, Dictionary<string, string?> environment, int port)
    {
        using var shell = ServerProcess.StartProgram("bash", ["-c", script], environment, _directory);
        var address = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            await shell.WaitUntilReadyAsync(address, TimeSpan.FromSeconds(180));
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidOperationException or HttpRequestException)
        {
            throw new Xunit.Sdk.XunitException($"The README's production start did not become ready: {exception.Message}\n{shell.Output}");
        }

        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        // Ready as soon as it serves; Healthy once the passkey key set has been fetched (Degraded until then, which on
        // a loaded machine can outlast the first probe).
        var health = "";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage ready;
        while (true)
        {
            ready = await client.GetAsync("health/ready");
            health = await ready.Content.ReadAsStringAsync();
            if (health == "Healthy" || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                break;
            }

            ready.Dispose();
            await Task.Delay(250);
        }

        using var discovery = JsonDocument.Parse(await client.GetStringAsync(".well-known/openid-configuration"));
        using var keys = JsonDocument.Parse(await client.GetStringAsync(".well-known/jwks"));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Healthy, not Degraded: the passkey key set came from the (stand-in) JWKS URL.
        Assert.Equal("Healthy", health);
        ready.Dispose();
        Assert.Equal("https://login.example.com/", discovery.RootElement.GetProperty("issuer").GetString());
        shell.Kill();
        return [.. keys.RootElement.GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!)];
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; under the temp directory.
        }
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
