using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Corbado.Oidc.Testing;

/// <summary>
/// A fresh server per test: its own SQLite file and passkey-issuer key, a confidential and a public client, and a
/// fake clock. Runs in Production with an https issuer (the test host reports https); tweak settings through the
/// <c>configure</c> lambda. Call <see cref="WebApplicationFactory{TEntryPoint}.UseKestrel()"/> for real sockets.
/// </summary>
public sealed class CorbadoOidcServerFactory : WebApplicationFactory<Program>
{
    public const string ConfidentialClientId = "rp-confidential";
    public const string ConfidentialClientSecret = "rp-confidential-secret-0123456789abcdef";
    public const string ConfidentialRedirectUri = "https://rp.example.com/callback";
    public const string PublicClientId = "rp-public";
    public const string PublicRedirectUri = "https://app.example.com/callback";

    /// <summary>The key-encryption key test servers run with (Production requires one; tests that restart on a database reuse it).</summary>
    public const string KeyEncryptionKey = "9GJSinYA9byvPNTHeNQfgQ3X5RCYqD1cTJhn4FuVujQ=";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;

    public CorbadoOidcServerFactory(Action<Dictionary<string, string?>>? configure = null, string environment = "Production", string issuer = "https://localhost/")
    {
        Directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        IssuerKey = TestSigningKey.CreateRsa();
        Minter = new HintMinter(IssuerKey, HintMinter.DefaultProjectId, Clock);
        JwksFile = Path.Combine(Directory, "passkey-issuer.jwks.json");
        File.WriteAllText(JwksFile, TestSigningKey.ToJwksJson(IssuerKey));
        Issuer = new Uri(issuer);
        _environment = environment;

        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Oidc"] = $"Data Source={Path.Combine(Directory, "oidc.db")}",
            ["Corbado:ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado:JwksFile"] = JwksFile,
            // appsettings.Development.json turns the development issuer on; tests use their own issuer key.
            ["Corbado:UseDevelopmentIssuer"] = "false",
            ["Oidc:Issuer"] = issuer,
            ["Keys:EncryptionKey"] = KeyEncryptionKey,
            ["Clients:0:ClientId"] = ConfidentialClientId,
            ["Clients:0:ClientSecret"] = ConfidentialClientSecret,
            ["Clients:0:RedirectUris:0"] = ConfidentialRedirectUri,
            ["Clients:1:ClientId"] = PublicClientId,
            ["Clients:1:RedirectUris:0"] = PublicRedirectUri,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Audit:SubjectHashSalt"] = TestAuditSalt.Value,
            // Both doors are compared by Differential/DoorEquivalenceTests; tests that care set Oidc:FastPath themselves.
            ["Oidc:FastPath"] = "true",
        };
        configure?.Invoke(_settings);
    }

    /// <summary>The per-test working directory (database, key files).</summary>
    public string Directory { get; }

    /// <summary>The server's clock; advance it instead of sleeping.</summary>
    public FakeTimeProvider Clock { get; }

    public TestSigningKey IssuerKey { get; }
    public HintMinter Minter { get; }
    public string JwksFile { get; }
    public Uri Issuer { get; }

    /// <summary>The same settings the server sees (after the configure lambda).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>Replaces services after the server's own registrations (for example a failing replay store).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices?.Invoke(services);
        });
    }

    /// <summary>An HTTP client that does not follow redirects, with the issuer as base address.</summary>
    public HttpClient CreateProtocolClient() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        BaseAddress = Issuer,
    });

    /// <summary>Starts the server on real Kestrel (a free loopback port) instead of the in-memory test server; returns its address.</summary>
    public Uri StartOnKestrel()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First() + "/");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            IssuerKey.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A file may still be open on some platforms; the temp folder is cleaned by the OS.
            }
        }
    }
}
