using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// Issue 12: appsettings.Development.json turns the development passkey issuer on; a key source set explicitly (here
/// <c>Corbado__JwksFile</c> by environment) takes precedence over it instead of stopping the server.
/// </summary>
public sealed class DevelopmentKeySourceTests : IDisposable
{
    private const string ClientId = "dev-rp";
    private const string ClientSecret = "dev-rp-secret-0123456789abcdefghijklmn";
    private const string RedirectUri = "http://127.0.0.1/callback";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
    private readonly TestSigningKey _issuerKey = TestSigningKey.CreateRsa();

    public DevelopmentKeySourceTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Development_ExplicitJwksFile_TakesPrecedenceOverDevelopmentIssuer()
    {
        // The server reads the project's appsettings files (copied next to its DLL), as `dotnet run` does.
        Assert.Contains("\"UseDevelopmentIssuer\": true", await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json")));
        var jwksFile = Path.Combine(_directory, "issuer.jwks.json");
        await File.WriteAllTextAsync(jwksFile, TestSigningKey.ToJwksJson(_issuerKey));
        var baseAddress = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_CONTENTROOT"] = AppContext.BaseDirectory,
            ["ASPNETCORE_URLS"] = baseAddress.AbsoluteUri,
            ["Oidc__Issuer"] = baseAddress.AbsoluteUri,
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado__JwksFile"] = jwksFile,
            ["Clients__0__ClientId"] = ClientId,
            ["Clients__0__ClientSecret"] = ClientSecret,
            ["Clients__0__RedirectUris__0"] = RedirectUri,
            ["HOME"] = _directory,
        };

        using var server = ServerProcess.Start(environment, [], _directory);
        await server.WaitUntilReadyAsync(baseAddress, TimeSpan.FromSeconds(60));
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var minter = new HintMinter(_issuerKey, HintMinter.DefaultProjectId, TimeProvider.System);
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(minter.Mint(), ClientId, RedirectUri));
        var (mintExit, mintOutput) = await ServerProcess.RunAsync(environment, _directory, "dev", "mint-hint", "--webauthn-id", "alice");

        Assert.NotNull(authorization.Code);
        // The development issuer is not in force, so its hints would not be accepted: minting one is refused.
        Assert.Equal(2, mintExit);
        Assert.Contains("Corbado:JwksFile", mintOutput);
    }

    public void Dispose()
    {
        _issuerKey.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the folder is under the temp directory.
        }
    }
}
