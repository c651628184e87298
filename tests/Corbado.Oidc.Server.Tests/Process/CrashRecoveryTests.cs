using System.Collections.Concurrent;
using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// Issue 5: the server process killed with SIGKILL in the middle of a burst of logins. After a restart the SQLite
/// database is intact, clients, keys and profiles are there, and no code issued before the kill is redeemed twice.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const string ClientId = "crash-rp";
    private const string ClientSecret = "crash-rp-secret-0123456789abcdefghijkl";
    private const string RedirectUri = "https://rp.example.com/callback";
    private const string Subject = "c364a852-0071-70a4-0fe8-ed5728aa9522";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
    private readonly TestSigningKey _issuerKey = TestSigningKey.CreateRsa();
    private readonly Dictionary<string, string?> _environment;
    private readonly Uri _baseAddress;

    public CrashRecoveryTests()
    {
        Directory.CreateDirectory(_directory);
        var jwksFile = Path.Combine(_directory, "issuer.jwks.json");
        File.WriteAllText(jwksFile, TestSigningKey.ToJwksJson(_issuerKey));
        var port = LoopbackPorts.Free();
        _baseAddress = new Uri($"http://127.0.0.1:{port}/");
        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = _baseAddress.AbsoluteUri,
            // TLS is terminated by a proxy in production; the test plays the proxy with X-Forwarded-Proto.
            ["Oidc__Issuer"] = $"https://127.0.0.1:{port}/",
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Keys__EncryptionKey"] = CorbadoOidcServerFactory.KeyEncryptionKey,
            ["Corbado__JwksFile"] = jwksFile,
            ["ConnectionStrings__Oidc"] = $"Data Source={Path.Combine(_directory, "oidc.db")}",
            ["RateLimiting__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Clients__0__ClientId"] = ClientId,
            ["Clients__0__ClientSecret"] = ClientSecret,
            ["Clients__0__RedirectUris__0"] = RedirectUri,
        };
    }

    private HttpClient CreateClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return client;
    }

    private async Task<string?> TryLoginForCodeAsync(HttpClient client, HintMinter minter)
    {
        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(minter.Mint(), ClientId, RedirectUri));
        return response.Code;
    }

    [Fact]
    public async Task SigkillDuringLoginBurst_RestartKeepsDataAndNoCodeIsRedeemedTwice()
    {
        var (profileExit, profileOutput) = await ServerProcess.RunAsync(_environment, _directory, "users", "set", "--sub", Subject, "--email", "ada@example.com");
        Assert.True(profileExit == 0, profileOutput);
        var minter = new HintMinter(_issuerKey, HintMinter.DefaultProjectId, TimeProvider.System);
        var issued = new ConcurrentQueue<string>();
        var redeemed = new ConcurrentQueue<string>();
        string jwksBefore;

        using (var server = ServerProcess.Start(_environment, [], _directory))
        {
            await server.WaitUntilReadyAsync(_baseAddress, TimeSpan.FromSeconds(60));
            using var client = CreateClient();
            jwksBefore = await client.GetStringAsync(".well-known/jwks");

            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                using var workerClient = CreateClient();
                // Bounded: at most 500 logins per worker, and the kill ends the loop in practice.
                for (var i = 0; i < 500 && !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        if (await TryLoginForCodeAsync(workerClient, minter) is not { } code)
                        {
                            continue;
                        }

                        issued.Enqueue(code);
                        // Redeem every other code before the kill; leave the rest pending.
                        if (i % 2 == 0)
                        {
                            using var response = await workerClient.RedeemCodeAsync(code, ClientId, ClientSecret, RedirectUri);
                            if (response.StatusCode == HttpStatusCode.OK)
                            {
                                redeemed.Enqueue(code);
                            }
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
                    {
                        // The process died under this request.
                        return;
                    }
                }
            })).ToList();

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (issued.Count < 40 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        Assert.True(issued.Count >= 40, $"only {issued.Count} codes were issued before the kill");
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "oidc.db")};Mode=ReadOnly"))
        {
            await connection.OpenAsync();
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
        }

        using var restarted = ServerProcess.Start(_environment, [], _directory);
        await restarted.WaitUntilReadyAsync(_baseAddress, TimeSpan.FromSeconds(60));
        using var after = CreateClient();

        Assert.Equal(jwksBefore, await after.GetStringAsync(".well-known/jwks"));
        foreach (var code in redeemed)
        {
            using var again = await after.RedeemCodeAsync(code, ClientId, ClientSecret, RedirectUri);
            Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        }

        foreach (var code in issued.Except(redeemed))
        {
            // A pending code may be redeemed once (or may have been redeemed when the process died); never twice.
            using var first = await after.RedeemCodeAsync(code, ClientId, ClientSecret, RedirectUri);
            using var second = await after.RedeemCodeAsync(code, ClientId, ClientSecret, RedirectUri);
            Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        }

        var freshCode = await TryLoginForCodeAsync(after, minter);
        using var tokens = await after.RedeemCodeAsync(freshCode!, ClientId, ClientSecret, RedirectUri);
        var idToken = new JsonWebToken((await tokens.ReadJsonAsync()).GetProperty("id_token").GetString());
        Assert.Equal("ada@example.com", idToken.GetClaim("email").Value);
    }

    public void Dispose()
    {
        _issuerKey.Dispose();
        SqliteConnection.ClearAllPools();
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
