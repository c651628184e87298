using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// The server refuses to start, with one clear message and a distinct exit code, when it is misconfigured or its
/// database cannot be written; it never starts half-working.
/// </summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _environment;

    public StartupFailureTests()
    {
        Directory.CreateDirectory(_directory);
        var jwksFile = Path.Combine(_directory, "issuer.jwks.json");
        using (var key = TestSigningKey.CreateRsa())
        {
            File.WriteAllText(jwksFile, TestSigningKey.ToJwksJson(key));
        }

        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Free()}",
            ["Oidc__Issuer"] = "https://login.example.com/",
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Keys__EncryptionKey"] = CorbadoOidcServerFactory.KeyEncryptionKey,
            ["Corbado__JwksFile"] = jwksFile,
            ["ConnectionStrings__Oidc"] = $"Data Source={Path.Combine(_directory, "oidc.db")}",
            // A non-root user (see the read-only test) needs a home it can write.
            ["HOME"] = _directory,
            ["DOTNET_CLI_HOME"] = _directory,
        };
    }

    private async Task<(int ExitCode, string Output)> StartAsync(IEnumerable<string>? runAs = null)
    {
        using var server = ServerProcess.Start(_environment, [], _directory, runAs);
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, server.Output);
    }

    [Fact]
    public async Task Start_WithAnotherKeyEncryptionKey_ExitsNamingTheSettingAndKeepsTheKeys()
    {
        var (listExit, listOutput) = await ServerProcess.RunAsync(_environment, _directory, "keys", "list");
        Assert.True(listExit == 0, listOutput);
        _environment["Keys__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var (exitCode, output) = await StartAsync();
        var (listAgainExit, listAgain) = await ServerProcess.RunAsync(_environment, _directory, "keys", "list");

        Assert.Equal(2, exitCode);
        Assert.Contains("Corbado.Oidc cannot start: the stored keys are encrypted under key-encryption key", output);
        Assert.Contains("Keys:EncryptionKey", output);
        // Nothing was replaced: the command line refuses too, and the original key still reads the same keys.
        Assert.Equal(2, listAgainExit);
        Assert.Contains("Keys:EncryptionKey", listAgain);
    }

    [Theory]
    [InlineData("Corbado__ProjectId", null, "Corbado:ProjectId is required")]
    [InlineData("Corbado__JwksFile", null, "Corbado:JwksUrl or Corbado:JwksFile is required")]
    [InlineData("Corbado__JwksFile", "/nonexistent/jwks.json", "Corbado:JwksFile points to '/nonexistent/jwks.json', which does not exist")]
    [InlineData("Oidc__Issuer", "http://login.example.com/", "Oidc:Issuer must use https outside the Development environment")]
    [InlineData("Corbado__Algorithms__0", "HS256", "Corbado:Algorithms contains 'HS256'")]
    [InlineData("Corbado__UseDevelopmentIssuer", "true", "Corbado:UseDevelopmentIssuer is only allowed in the Development environment")]
    [InlineData("Clients__0__ClientId", "rp", "Clients:0: Client 'rp': at least one RedirectUris entry is required.")]
    [InlineData("Keys__EncryptionKey", null, "Keys:EncryptionKey or Keys:EncryptionKeyFile is required outside the Development environment")]
    [InlineData("Keys__EncryptionKey", "c2hvcnQ=", "Keys:EncryptionKey must be 32 bytes in base64")]
    public async Task Start_InvalidSetting_ExitsWithMessageNamingIt(string name, string? value, string expected)
    {
        _environment[name] = value;

        await StartAndExpectConfigurationProblemsAsync(expected);
    }

    [Fact]
    public async Task Start_ProductionWithNothingConfigured_ListsEverySettingOfEverySection()
    {
        _environment["Oidc__Issuer"] = null;
        _environment["Corbado__ProjectId"] = null;
        _environment["Corbado__JwksFile"] = null;

        await StartAndExpectConfigurationProblemsAsync(
            "Corbado:ProjectId is required", "Corbado:JwksUrl or Corbado:JwksFile is required", "Oidc:Issuer is required");
    }

    [Fact]
    public async Task Start_UnreadableAndInvalidValuesInFourSections_OneLineEach()
    {
        _environment["Corbado__ClockSkew"] = "soon";
        _environment["Oidc__StrictClientAssertions"] = "yes";
        _environment["RateLimiting__Enabled"] = "perhaps";
        _environment["Database__Provider"] = "Oracle";

        await StartAndExpectConfigurationProblemsAsync(
            "Failed to convert configuration value 'soon' at 'Corbado:ClockSkew' to type 'System.TimeSpan'.",
            "Failed to convert configuration value 'yes' at 'Oidc:StrictClientAssertions' to type 'System.Boolean'.",
            "Failed to convert configuration value 'perhaps' at 'RateLimiting:Enabled' to type 'System.Boolean'.",
            "Database:Provider is 'Oracle'; allowed are Sqlite and PostgreSql.");
    }

    [Fact]
    public async Task Start_PostgreSqlWithoutConnectionString_NamesTheSetting()
    {
        _environment["Database__Provider"] = "PostgreSql";
        _environment["ConnectionStrings__Oidc"] = null;

        await StartAndExpectConfigurationProblemsAsync("ConnectionStrings:Oidc is required when Database:Provider is PostgreSql.");
    }

    /// <summary>Exit code 2, the heading line, then one indented line starting with each expected problem; nothing like a crash.</summary>
    private async Task StartAndExpectConfigurationProblemsAsync(params string[] problems)
    {
        var (exitCode, output) = await StartAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("Corbado.Oidc cannot start: the configuration is invalid.", output);
        foreach (var problem in problems)
        {
            Assert.Contains("\n  " + problem, output);
        }

        AssertNoCrashOutput(output);
    }

    /// <summary>Output that a person reads as a crash rather than one sentence per problem.</summary>
    private static void AssertNoCrashOutput(string output)
    {
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("BackgroundService failed", output);
        Assert.DoesNotContain("Exception", output);
    }

    [Fact]
    public async Task Start_PortInUse_ExitsWithSentenceNamingTheAddress()
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var address = $"http://127.0.0.1:{((System.Net.IPEndPoint)occupant.LocalEndpoint).Port}";
        _environment["ASPNETCORE_URLS"] = address;

        var (exitCode, output) = await StartAsync();

        Assert.Equal(4, exitCode);
        Assert.Contains($"Corbado.Oidc cannot start: Failed to bind to address {address}: address already in use; another process listens there.", output);
        AssertNoCrashOutput(output);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Start_ReadOnlyDatabaseFile_ExitsWithClearDatabaseError()
    {
        var database = Path.Combine(_directory, "oidc.db");
        await File.WriteAllBytesAsync(database, []);
        File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        // root ignores file modes: run the server as nobody, as a service account would be.
        string[]? runAs = Environment.UserName == "root" ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : null;

        try
        {
            var (exitCode, output) = await StartAsync(runAs);

            Assert.Equal(3, exitCode);
            Assert.Contains($"Corbado.Oidc cannot start: the database '{database}' cannot be opened or written", output);
            Assert.Contains("readonly database", output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
