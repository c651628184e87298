using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Deployment;

/// <summary>
/// Issue 22: deploy/compose/nginx.conf run by Debian's nginx (scripts/test.sh installs it) in front of two replicas on
/// PostgreSQL, with the self-signed certificate made by the one-liner docker-compose.yml documents. Stated
/// substitutions, nothing else: the replicas' compose addresses become their loopback ports, <c>listen 443</c> a free
/// loopback port, <c>/etc/nginx/tls/</c> the folder the one-liner made, and nginx gets a pid file and prefix in a
/// temporary folder (<c>-g</c>, <c>-p</c>, <c>-e</c> on the command line; the file is not changed for them).
/// </summary>
public sealed partial class NginxTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("corbado-oidc-nginx-").FullName;

    [Fact]
    public async Task ShippedConfiguration_NginxT_AcceptsIt()
    {
        var configuration = await PrepareAsync(["127.0.0.1:1", "127.0.0.1:2"], LoopbackPorts.Free());

        var (exitCode, output) = await DeploymentTests.RunAsync("nginx", NginxArguments(configuration, "-t"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("test is successful", output);
    }

    [Fact]
    public async Task ShippedConfiguration_InFrontOfTwoReplicas_LoginOverTls_ForwardedHeaders_AndNoHintInItsLogs()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        using var fleet = new ServerFleet(connectionString, 2, new Dictionary<string, string?>
        {
            // The audit trail shows the client address each replica believed (X-Forwarded-For from the trusted proxy).
            ["Logging__LogLevel__Corbado.Oidc.Audit"] = "Information",
            ["Logging__Console__FormatterName"] = "json",
        });
        await fleet.StartAllAsync(TimeSpan.FromSeconds(90));
        var port = LoopbackPorts.Free();
        var configuration = await PrepareAsync([.. fleet.Addresses.Select(address => $"127.0.0.1:{address.Port}")], port);
        using var nginx = ServerProcess.StartProgram("nginx", NginxArguments(configuration, "-g", $"daemon off; pid {_work}/nginx.pid;"),
            new Dictionary<string, string?>(), _work);
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_work, "deploy", "compose", "tls", "server.crt"));
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // Trust exactly the certificate the one-liner made, nothing else.
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
        })
        { BaseAddress = new Uri($"https://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Host = "login.example.com";
        await WaitForNginxAsync(client, nginx);

        // A complete login through TLS: the replicas answer as https://login.example.com/ only because nginx forwards
        // X-Forwarded-Proto (the server refuses plain http outside Development), and a forged X-Forwarded-For is replaced.
        var hint = fleet.Minter.Mint(webAuthnId: "nginx-user");
        using var authorizeRequest = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString("authorize", fleet.AuthorizeParameters(hint)!));
        authorizeRequest.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var authorize = await client.SendAsync(authorizeRequest);
        var redirect = await OidcProtocol.ParseAsync(authorize);
        Assert.True(redirect.Code is not null, $"{authorize.StatusCode} {redirect.Body}\n{nginx.Output}");
        Assert.Equal("https://login.example.com/", redirect.Get("iss"));
        var tokens = await (await fleet.RedeemAsync(client, redirect.Code!)).ReadJsonAsync();
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        using var discovery = JsonDocument.Parse(await client.GetStringAsync(".well-known/openid-configuration"));
        using var metrics = await client.GetAsync("metrics");

        Assert.Equal("https://login.example.com/", idToken.Issuer);
        Assert.Equal("nginx-user", idToken.Subject);
        Assert.Equal("https://login.example.com/token", discovery.RootElement.GetProperty("token_endpoint").GetString());
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        var audit = fleet[0]!.Output + fleet[1]!.Output;
        Assert.Contains("\"ClientIp\":\"127.0.0.1\"", audit);
        Assert.DoesNotContain("203.0.113.9", audit);

        // Both replicas gone: nginx answers 502, and neither its access log nor its error log has the hint.
        fleet[0]!.Kill();
        fleet[1]!.Kill();
        var secondHint = fleet.Minter.Mint(webAuthnId: "nginx-user");
        using var failed = await client.GetAsync(QueryHelpers.AddQueryString("authorize", fleet.AuthorizeParameters(secondHint)!));
        using var referred = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString("authorize", fleet.AuthorizeParameters(secondHint)!));
        referred.Headers.Referrer = new Uri("https://example.okta.com/sso/idps/0oa1?login_hint=" + secondHint);
        (await client.SendAsync(referred)).Dispose();
        await Task.Delay(500);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        var logs = nginx.Output + await ReadIfExistsAsync(Path.Combine(_work, "startup-error.log"));
        Assert.Contains("\"GET /authorize HTTP/1.1\" 302", logs);
        Assert.Contains("\"GET /authorize HTTP/1.1\" 502", logs);
        foreach (var secret in new[] { hint, secondHint, hint[..40], secondHint[..40], "login_hint", redirect.Code! })
        {
            Assert.DoesNotContain(secret, logs);
        }
    }

    /// <summary>
    /// Runs the TLS one-liner of docker-compose.yml as written (in the temporary folder, which stands for the repository
    /// root) and writes the shipped nginx.conf with the stated substitutions; returns the configuration's path.
    /// </summary>
    private async Task<string> PrepareAsync(IReadOnlyList<string> replicas, int port)
    {
        var compose = await File.ReadAllTextAsync(Path.Combine(DeploymentTests.Deploy, "docker-compose.yml"));
        var oneLiner = TlsOneLiner().Match(compose);
        Assert.True(oneLiner.Success, "docker-compose.yml documents no one-line way to make deploy/compose/tls");
        var (exitCode, output) = await DeploymentTests.RunAsync("bash", ["-c", $"cd '{_work}' && {oneLiner.Groups[1].Value}"]);
        Assert.True(exitCode == 0, output);

        var configuration = PrometheusTests.Substitute(await File.ReadAllTextAsync(Path.Combine(DeploymentTests.Deploy, "compose", "nginx.conf")), new()
        {
            ["172.28.0.11:8080"] = replicas[0],
            ["172.28.0.12:8080"] = replicas[1],
            ["listen 443 ssl"] = $"listen 127.0.0.1:{port} ssl",
            ["/etc/nginx/tls/"] = Path.Combine(_work, "deploy", "compose", "tls") + "/",
        });
        var path = Path.Combine(_work, "nginx.conf");
        await File.WriteAllTextAsync(path, configuration);
        return path;
    }

    private string[] NginxArguments(string configuration, params string[] more)
        => ["-p", _work + "/", "-e", Path.Combine(_work, "startup-error.log"), "-c", configuration, .. more];

    private static async Task WaitForNginxAsync(HttpClient client, ServerProcess nginx)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !nginx.HasExited)
        {
            try
            {
                using var response = await client.GetAsync("health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException("nginx did not proxy /health/live:\n" + nginx.Output);
    }

    private static async Task<string> ReadIfExistsAsync(string path) => File.Exists(path) ? await File.ReadAllTextAsync(path) : "";

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; under the temp directory.
        }
    }

    [GeneratedRegex(@"^#\s+(\(mkdir -p deploy/compose/tls && .*openssl .*\))$", RegexOptions.Multiline)]
    private static partial Regex TlsOneLiner();
}
