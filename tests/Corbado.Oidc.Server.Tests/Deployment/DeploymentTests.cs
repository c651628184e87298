using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Deployment;

/// <summary>
/// The deployment artifacts under deploy/, checked as far as a machine without a container engine or cluster allows:
/// the compose file by <c>docker-compose config</c>, the systemd unit by <c>systemd-analyze verify</c> and by starting the
/// published server exactly as its ExecStart says, every YAML file by yamllint, and the Kubernetes manifests against
/// their kinds' schemas (kubernetes-models, installed by <c>npm ci</c> in scripts/test.sh) plus the rules we rely on.
/// </summary>
public sealed class DeploymentTests
{
    internal static readonly string Deploy = Path.Combine(RepositoryFiles.Root, "deploy");
    internal static readonly string SchemaCheck = Path.Combine(RepositoryFiles.Root, "tests", "Corbado.Oidc.Server.Tests", "Deployment", "schema");

    private static readonly Dictionary<string, string?> ComposeSecrets = new()
    {
        ["OIDC_ISSUER"] = "https://login.example.com/",
        ["CORBADO_PROJECT_ID"] = "pro-1234567890",
        ["CORBADO_JWKS_URL"] = "https://pro-1234567890.frontendapi.corbado.io/.well-known/jwks",
        ["POSTGRES_PASSWORD"] = "compose-check-password",
        ["CORBADO_API_SECRET"] = "compose-check-api-secret",
        ["AUDIT_SUBJECT_HASH_SALT"] = "compose-check-salt-0123456789abcdef0123",
        ["KEY_ENCRYPTION_KEY"] = CorbadoOidcServerFactory.KeyEncryptionKey,
    };

    [Fact]
    public async Task ComposeFile_DockerComposeConfig_AcceptsTwoReplicasPostgresNginxAndPrometheus()
    {
        var (exitCode, output) = await RunAsync("docker-compose", ["-f", Path.Combine(Deploy, "docker-compose.yml"), "config"], ComposeSecrets);

        Assert.True(exitCode == 0, output);
        foreach (var service in new[] { "server-1:", "server-2:", "postgres:", "nginx:", "prometheus:", "alertmanager:" })
        {
            Assert.Contains("  " + service, output);
        }

        Assert.Contains("dockerfile: deploy/Dockerfile", output);
        Assert.Contains("ForwardedHeaders__KnownNetworks__0: 172.28.0.0/24", output);
        Assert.Contains("read_only: true", output);
    }

    [Fact]
    public async Task ComposeFile_WithoutItsSecrets_IsRefused()
    {
        var (exitCode, output) = await RunAsync("docker-compose", ["-f", Path.Combine(Deploy, "docker-compose.yml"), "config"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("set POSTGRES_PASSWORD", output);
    }

    [Theory]
    [InlineData("OIDC_ISSUER")]
    [InlineData("CORBADO_PROJECT_ID")]
    [InlineData("CORBADO_JWKS_URL")]
    public async Task ComposeFile_WithoutARequiredSetting_IsRefusedNamingIt(string variable)
    {
        var (exitCode, output) = await RunAsync("docker-compose", ["-f", Path.Combine(Deploy, "docker-compose.yml"), "config"],
            new Dictionary<string, string?>(ComposeSecrets) { [variable] = null });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("set " + variable, output);
    }

    [Fact]
    public async Task SystemdUnit_SystemdAnalyzeVerify_ReportsNothing()
    {
        var (exitCode, output) = await RunAsync("systemd-analyze", ["verify", Path.Combine(Deploy, "systemd", "corbado-oidc.service")]);

        Assert.True(exitCode == 0, output);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public async Task YamlFiles_Yamllint_StrictPasses()
    {
        var (exitCode, output) = await RunAsync("yamllint", ["--strict", "-c", Path.Combine(Deploy, ".yamllint.yml"), Deploy]);

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task KubernetesManifests_MatchTheirSchemas_AndProbeAndScrapeTheManagementPort()
    {
        var (exitCode, output) = await RunAsync("node", [Path.Combine(SchemaCheck, "validate.mjs"), Path.Combine(Deploy, "kubernetes")]);

        Assert.True(exitCode == 0, output);
        var documents = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(
            ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Service", "Service", "ServiceMonitor"],
            documents.Select(d => d.GetProperty("kind").GetString()).Order(StringComparer.Ordinal));

        var pod = documents.Single(d => d.GetProperty("kind").GetString() == "Deployment").GetProperty("spec").GetProperty("template").GetProperty("spec");
        Assert.True(pod.GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        var container = pod.GetProperty("containers")[0];
        Assert.True(container.GetProperty("securityContext").GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.False(container.GetProperty("securityContext").GetProperty("allowPrivilegeEscalation").GetBoolean());
        Assert.True(container.GetProperty("resources").GetProperty("requests").TryGetProperty("cpu", out _));
        Assert.True(container.GetProperty("resources").GetProperty("limits").TryGetProperty("memory", out _));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal("management", container.GetProperty(probe).GetProperty("httpGet").GetProperty("port").GetString());
        }

        // The public Service never exposes the management port; the ServiceMonitor scrapes it by name.
        var publicService = documents.Single(d => d.GetProperty("kind").GetString() == "Service" && d.GetProperty("metadata").GetProperty("name").GetString() == "corbado-oidc");
        Assert.All(publicService.GetProperty("spec").GetProperty("ports").EnumerateArray(), port => Assert.Equal("http", port.GetProperty("targetPort").GetString()));
        var monitor = documents.Single(d => d.GetProperty("kind").GetString() == "ServiceMonitor");
        Assert.Equal("management", monitor.GetProperty("spec").GetProperty("endpoints")[0].GetProperty("port").GetString());

        // Issue 22: the HPA owns the replica count; drains evict one at a time; a preStop drain; no migration Job beside
        // the replicas' own locked migration; the management port only from the monitoring namespace; the Ingress keeps
        // no access log (its query carries the login_hint).
        var deployment = documents.Single(d => d.GetProperty("kind").GetString() == "Deployment");
        Assert.False(deployment.GetProperty("spec").TryGetProperty("replicas", out _));
        Assert.True(container.GetProperty("lifecycle").GetProperty("preStop").TryGetProperty("exec", out _));
        var budget = documents.Single(d => d.GetProperty("kind").GetString() == "PodDisruptionBudget").GetProperty("spec");
        Assert.Equal(1, budget.GetProperty("maxUnavailable").GetInt32());
        Assert.False(budget.TryGetProperty("minAvailable", out _));
        var policy = documents.Single(d => d.GetProperty("kind").GetString() == "NetworkPolicy").GetProperty("spec").GetProperty("ingress").EnumerateArray().ToList();
        Assert.All(policy.Where(rule => rule.GetProperty("ports").EnumerateArray().Any(p => p.GetProperty("port").GetString() == "management")),
            rule => Assert.True(rule.TryGetProperty("from", out _)));
        var ingress = documents.Single(d => d.GetProperty("kind").GetString() == "Ingress");
        Assert.Equal("false", ingress.GetProperty("metadata").GetProperty("annotations").GetProperty("nginx.ingress.kubernetes.io/enable-access-log").GetString());

        // The Secret is applied on its own (apply -k of the server never overwrites a real one).
        var (secretExit, secretOutput) = await RunAsync("node", [Path.Combine(SchemaCheck, "validate.mjs"), Path.Combine(Deploy, "kubernetes", "secret")]);
        Assert.True(secretExit == 0, secretOutput);
        var secret = Assert.Single(JsonDocument.Parse(secretOutput).RootElement.EnumerateArray()).GetProperty("stringData");
        Assert.True(secret.TryGetProperty("Audit__SubjectHashSalt", out _));
        Assert.True(secret.TryGetProperty("Keys__EncryptionKey", out _));
    }

    [Fact]
    public async Task KubernetesSchemaCheck_ManifestWithWrongFieldType_IsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("corbado-oidc-k8s-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "kustomization.yaml"), "resources: [deployment.yaml]\n");
            var deployment = await File.ReadAllTextAsync(Path.Combine(Deploy, "kubernetes", "deployment.yaml"));
            await File.WriteAllTextAsync(Path.Combine(folder, "deployment.yaml"), deployment.Replace("containerPort: 8080", "containerPort: http-port", StringComparison.Ordinal));

            var (exitCode, output) = await RunAsync("node", [Path.Combine(SchemaCheck, "validate.mjs"), folder]);

            Assert.Equal(2, exitCode);
            Assert.Contains("containerPort must be integer", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SystemdUnit_ExecStart_StartsThePublishedServerWithTheManagementPort()
    {
        var unit = await File.ReadAllLinesAsync(Path.Combine(Deploy, "systemd", "corbado-oidc.service"));
        var execStart = Setting(unit, "ExecStart").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var installDirectory = Setting(unit, "WorkingDirectory");
        var work = Directory.CreateTempSubdirectory("corbado-oidc-systemd-").FullName;
        var published = Path.Combine(work, "opt");
        using var issuerKey = TestSigningKey.CreateRsa();
        try
        {
            // Published from the build the suite just made (scripts/test.sh builds Release first).
            var (publishExit, publishOutput) = await RunAsync("dotnet",
                ["publish", Path.Combine(RepositoryFiles.Root, "src", "Corbado.Oidc.Server"), "-c", "Release", "--no-build", "--nologo", "-o", published], timeout: TimeSpan.FromMinutes(3));
            Assert.True(publishExit == 0, publishOutput);
            var jwksFile = Path.Combine(work, "issuer.jwks.json");
            await File.WriteAllTextAsync(jwksFile, TestSigningKey.ToJwksJson(issuerKey));

            // The example environment file and the unit's Environment= line, with this machine's ports and paths.
            var environment = EnvironmentFile(await File.ReadAllLinesAsync(Path.Combine(Deploy, "systemd", "corbado-oidc.env")));
            foreach (var assignment in Setting(unit, "Environment").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                environment[assignment[..assignment.IndexOf('=', StringComparison.Ordinal)]] = assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }

            int port = LoopbackPorts.Free(), managementPort = LoopbackPorts.Free();
            environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            environment["Management__Port"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["ConnectionStrings__Oidc"] = $"Data Source={Path.Combine(work, "corbado-oidc.db")}";
            environment["Corbado__JwksUrl"] = null;
            environment["Corbado__JwksFile"] = jwksFile;
            environment["Audit__SubjectHashSalt"] = TestAuditSalt.Value;
            environment["Keys__EncryptionKey"] = CorbadoOidcServerFactory.KeyEncryptionKey;
            Assert.Equal("/usr/bin/dotnet", execStart[0]);
            string[] command = [.. execStart.Select(part => part.Replace(installDirectory, published, StringComparison.Ordinal))];

            using var server = ServerProcess.StartCommand(command, environment, installDirectory.Replace(installDirectory, published, StringComparison.Ordinal));
            var management = new Uri($"http://127.0.0.1:{managementPort}/");
            await server.WaitUntilReadyAsync(management, TimeSpan.FromSeconds(60));
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

            var metrics = await client.GetAsync(new Uri(management, "metrics"));
            var publicMetrics = await client.GetAsync($"http://127.0.0.1:{port}/metrics");
            var discovery = await client.GetAsync($"http://127.0.0.1:{port}/.well-known/openid-configuration");

            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("process_", await metrics.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
            // Plain http on loopback stands for the TLS proxy; without X-Forwarded-Proto the server insists on https.
            Assert.NotEqual(HttpStatusCode.NotFound, discovery.StatusCode);
            Assert.DoesNotContain(server.Output.Split('\n'), line => line.Length > 0 && !line.StartsWith('{'));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Setting(IEnumerable<string> unit, string key)
        => unit.Single(line => line.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

    private static Dictionary<string, string?> EnvironmentFile(IEnumerable<string> lines)
        => lines.Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToDictionary(line => line[..line.IndexOf('=', StringComparison.Ordinal)], line => (string?)line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    /// <summary>Runs a tool to completion (bounded) and returns its exit code and its output (stdout, then stderr).</summary>
    internal static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryFiles.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
