using System.Security.Cryptography;

namespace Corbado.Oidc.Testing;

/// <summary>
/// Replicas of the server binary sharing one database, each on its own loopback port, the way a Deployment with
/// several replicas runs behind a load balancer: one public issuer, TLS terminated by the proxy (the clients send
/// <c>X-Forwarded-Proto: https</c>), configuration by environment variables only, Production environment.
/// </summary>
public sealed class ServerFleet : IDisposable
{
    public const string ClientId = "fleet-rp";
    public const string ClientSecret = "fleet-rp-secret-0123456789abcdefghijkl";
    public const string RedirectUri = "https://rp.example.com/callback";
    public const string Issuer = "https://login.example.com/";

    private readonly ServerProcess?[] _replicas;
    private readonly Dictionary<string, string?> _environment;

    /// <param name="connectionString">The shared database (PostgreSQL unless <paramref name="settings"/> says otherwise).</param>
    /// <param name="count">How many replicas.</param>
    /// <param name="settings">Further environment variables for every replica (for example <c>Keys__RefreshInterval</c>).</param>
    /// <param name="managementPorts">Give every replica a management port of its own (<see cref="ManagementAddresses"/>).</param>
    public ServerFleet(string connectionString, int count, IReadOnlyDictionary<string, string?>? settings = null, bool managementPorts = false)
    {
        Directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        IssuerKey = TestSigningKey.CreateRsa();
        Minter = new HintMinter(IssuerKey, HintMinter.DefaultProjectId, TimeProvider.System);
        var jwksFile = Path.Combine(Directory, "issuer.jwks.json");
        File.WriteAllText(jwksFile, TestSigningKey.ToJwksJson(IssuerKey));
        Addresses = [.. Enumerable.Range(0, count).Select(_ => new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/"))];
        ManagementAddresses = managementPorts ? [.. Enumerable.Range(0, count).Select(_ => new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/"))] : [];
        _replicas = new ServerProcess?[count];
        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Oidc__Issuer"] = Issuer,
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado__JwksFile"] = jwksFile,
            ["Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__Oidc"] = connectionString,
            ["Keys__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["RateLimiting__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Clients__0__ClientId"] = ClientId,
            ["Clients__0__ClientSecret"] = ClientSecret,
            ["Clients__0__RedirectUris__0"] = RedirectUri,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            _environment[name] = value;
        }
    }

    /// <summary>The per-fleet working directory.</summary>
    public string Directory { get; }

    /// <summary>The passkey issuer the replicas trust (its public key is their <c>Corbado:JwksFile</c>).</summary>
    public TestSigningKey IssuerKey { get; }

    public HintMinter Minter { get; }

    /// <summary>Each replica's own address (what the load balancer would send to).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>Each replica's management port (<c>/metrics</c>, health), when the fleet was made with them; else empty.</summary>
    public IReadOnlyList<Uri> ManagementAddresses { get; }

    /// <summary>The environment every replica gets (without its <c>ASPNETCORE_URLS</c>).</summary>
    public IReadOnlyDictionary<string, string?> Environment => _environment;

    public int Count => _replicas.Length;

    /// <summary>A replica's process (null before it was started).</summary>
    public ServerProcess? this[int replica] => _replicas[replica];

    /// <summary>Starts every replica at the same moment (a Deployment's first install), then waits until all are ready.</summary>
    public async Task StartAllAsync(TimeSpan timeout)
    {
        using var gate = new ManualResetEventSlim();
        var starters = Enumerable.Range(0, Count).Select(replica => Task.Run(() =>
        {
            gate.Wait();
            _replicas[replica] = ServerProcess.Start(EnvironmentFor(replica), [], Directory);
        })).ToList();
        gate.Set();
        await Task.WhenAll(starters);
        await Task.WhenAll(Enumerable.Range(0, Count).Select(replica => _replicas[replica]!.WaitUntilReadyAsync(Addresses[replica], timeout)));
    }

    /// <summary>(Re)starts one replica and waits until it is ready.</summary>
    public async Task StartAsync(int replica, TimeSpan timeout)
    {
        _replicas[replica]?.Dispose();
        _replicas[replica] = ServerProcess.Start(EnvironmentFor(replica), [], Directory);
        await _replicas[replica]!.WaitUntilReadyAsync(Addresses[replica], timeout);
    }

    /// <summary>An HTTP client for one replica, as the proxy forwards to it (no redirects followed, https forwarded).</summary>
    public HttpClient CreateClient(int replica)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Addresses[replica], Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return client;
    }

    /// <summary>Authorization parameters for the fleet's client.</summary>
    public Dictionary<string, string?> AuthorizeParameters(string hint) => OidcProtocol.AuthorizeParameters(hint, ClientId, RedirectUri);

    /// <summary>Redeems a code for the fleet's client at the given client's replica.</summary>
    public Task<HttpResponseMessage> RedeemAsync(HttpClient client, string code) => client.RedeemCodeAsync(code, ClientId, ClientSecret, RedirectUri);

    /// <summary>Runs an administration verb against the fleet's database and configuration.</summary>
    public Task<(int ExitCode, string Output)> RunAdminAsync(params string[] arguments) => ServerProcess.RunAsync(_environment, Directory, arguments);

    public void Dispose()
    {
        foreach (var replica in _replicas)
        {
            replica?.Dispose();
        }

        IssuerKey.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private Dictionary<string, string?> EnvironmentFor(int replica)
    {
        var environment = new Dictionary<string, string?>(_environment) { ["ASPNETCORE_URLS"] = Addresses[replica].AbsoluteUri };
        if (ManagementAddresses.Count > 0)
        {
            environment["Management__Port"] = ManagementAddresses[replica].Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return environment;
    }
}
