using System.Text.Json;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// The published server as an operator runs it in production: its own process, configured by environment variables,
/// JSON console logs (<c>Logging:Console:FormatterName=json</c>), the public port and a management port on loopback,
/// TLS played by the test through X-Forwarded-Proto.
/// </summary>
public sealed class OperatedServer : IDisposable
{
    public const string ClientId = "rp-ops";
    public const string ClientSecret = "rp-ops-secret-0123456789abcdef0123456789";
    public const string RedirectUri = "https://ops.example.com/callback";
    public const string UserAgent = "ops-test-agent/1.0";

    private readonly ServerProcess _process;

    private OperatedServer(ServerProcess process, string directory, TestSigningKey issuerKey, Uri publicAddress, Uri managementAddress)
    {
        _process = process;
        Directory = directory;
        IssuerKey = issuerKey;
        PublicAddress = publicAddress;
        ManagementAddress = managementAddress;
        Minter = new HintMinter(issuerKey, HintMinter.DefaultProjectId, TimeProvider.System);
    }

    public string Directory { get; }
    public TestSigningKey IssuerKey { get; }
    public HintMinter Minter { get; }
    public Uri PublicAddress { get; }
    public Uri ManagementAddress { get; }

    /// <summary>Standard output and error so far.</summary>
    public string Output => _process.Output;

    /// <summary>Starts the server with <paramref name="extra"/> settings (environment variable names) and waits until it is ready.</summary>
    public static async Task<OperatedServer> StartAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var issuerKey = TestSigningKey.CreateRsa();
        var jwksFile = Path.Combine(directory, "issuer.jwks.json");
        await File.WriteAllTextAsync(jwksFile, TestSigningKey.ToJwksJson(issuerKey));
        int port = LoopbackPorts.Free(), managementPort = LoopbackPorts.Free();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Management__Port"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Oidc__Issuer"] = $"https://127.0.0.1:{port}/",
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado__JwksFile"] = jwksFile,
            ["ConnectionStrings__Oidc"] = $"Data Source={Path.Combine(directory, "oidc.db")}",
            ["RateLimiting__Enabled"] = "false",
            ["Logging__Console__FormatterName"] = "json",
            ["Clients__0__ClientId"] = ClientId,
            ["Clients__0__ClientSecret"] = ClientSecret,
            ["Clients__0__RedirectUris__0"] = RedirectUri,
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        var process = ServerProcess.Start(environment, [], directory);
        var server = new OperatedServer(process, directory, issuerKey, new Uri($"http://127.0.0.1:{port}/"), new Uri($"http://127.0.0.1:{managementPort}/"));
        try
        {
            await process.WaitUntilReadyAsync(server.ManagementAddress, TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>A client of the public port, behind the (simulated) TLS-terminating proxy.</summary>
    public HttpClient CreatePublicClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = PublicAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return client;
    }

    public HttpClient CreateManagementClient() => new() { BaseAddress = ManagementAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Every JSON log line written so far (lines that are not JSON fail the caller's assertions elsewhere).</summary>
    public IReadOnlyList<JsonElement> JsonLines() => [.. Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(line => line.StartsWith('{'))
        .Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>Lines of standard output that are not JSON log entries.</summary>
    public IReadOnlyList<string> OtherLines() => [.. Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(line => !line.StartsWith('{'))];

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds for the output: log lines are written asynchronously.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Output) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Asks for a graceful stop (SIGTERM) and waits (bounded) for the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout)
    {
        _process.Terminate();
        return _process.WaitForExitAsync(timeout);
    }

    public void Dispose()
    {
        _process.Dispose();
        IssuerKey.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder.
        }
    }
}
