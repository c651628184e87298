using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Deployment;

/// <summary>
/// Issue 22: deploy/prometheus checked and run by Debian's Prometheus (scripts/test.sh installs <c>prometheus</c> and
/// <c>prometheus-alertmanager</c>): <c>promtool check config</c>, <c>promtool test rules</c> with a test for every alert,
/// the PrometheusRule of deploy/kubernetes passing the same tests, <c>amtool check-config</c> on the routing, one job
/// label everywhere, and the shipped configuration running against two replicas.
/// </summary>
public sealed partial class PrometheusTests
{
    private static readonly string Folder = Path.Combine(DeploymentTests.Deploy, "prometheus");

    [Fact]
    public async Task ShippedConfiguration_PromtoolCheckConfig_AcceptsItAndItsRules()
    {
        var (exitCode, output) = await DeploymentTests.RunAsync("promtool", ["check", "config", Path.Combine(Folder, "prometheus.yml")]);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"SUCCESS: {AlertNames().Count} rules found", output);
    }

    [Fact]
    public async Task Alerts_PromtoolTestRules_PassAndCoverEveryAlert()
    {
        var tests = await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.test.yml"));

        var (exitCode, output) = await RunInAsync(Folder, "promtool", "test", "rules", "alerts.test.yml");

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
        var tested = TestedAlert().Matches(tests).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(AlertNames().Except(tested));
        // Every alert is tested both ways: some evaluation expects it to fire, and some expects it not to.
        foreach (var alert in AlertNames())
        {
            Assert.Matches($@"alertname: {alert}\n\s+exp_alerts: \[\]", tests);
            Assert.Matches($@"alertname: {alert}\n\s+exp_alerts:\n\s+- exp_labels", tests);
        }
    }

    [Fact]
    public async Task PrometheusRuleForTheOperator_PassesTheSameRuleTests()
    {
        var (schemaExit, manifests) = await DeploymentTests.RunAsync("node", [Path.Combine(DeploymentTests.SchemaCheck, "validate.mjs"), Path.Combine(DeploymentTests.Deploy, "kubernetes")]);
        Assert.True(schemaExit == 0, manifests);
        var rule = JsonDocument.Parse(manifests).RootElement.EnumerateArray().Single(d => d.GetProperty("kind").GetString() == "PrometheusRule");
        var work = Directory.CreateTempSubdirectory("corbado-oidc-rules-").FullName;
        try
        {
            // JSON is YAML: the operator's spec.groups as a plain rule file, tested by the unit tests of alerts.yml.
            await File.WriteAllTextAsync(Path.Combine(work, "operator-rules.json"), JsonSerializer.Serialize(new { groups = rule.GetProperty("spec").GetProperty("groups") }));
            var tests = await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.test.yml"));
            Assert.Contains("  - alerts.yml\n", tests);
            await File.WriteAllTextAsync(Path.Combine(work, "alerts.test.yml"), tests.Replace("  - alerts.yml\n", "  - operator-rules.json\n", StringComparison.Ordinal));

            var (exitCode, output) = await RunInAsync(work, "promtool", "test", "rules", "alerts.test.yml");

            Assert.True(exitCode == 0, output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task GrafanaDashboard_EveryQuery_PassesPromtool_AndEveryMetricOfOursIsShown()
    {
        var queries = DashboardQueries();
        var work = Directory.CreateTempSubdirectory("corbado-oidc-grafana-").FullName;
        try
        {
            // Each panel's query as a recording rule: promtool parses and checks it as Prometheus would run it.
            var rules = new { groups = new[] { new { name = "dashboard", rules = queries.Select((expr, i) => new { record = $"corbado_oidc_dashboard:panel_{i + 1}", expr }) } } };
            await File.WriteAllTextAsync(Path.Combine(work, "dashboard-rules.json"), JsonSerializer.Serialize(rules));

            var (exitCode, output) = await DeploymentTests.RunAsync("promtool", ["check", "rules", Path.Combine(work, "dashboard-rules.json")]);

            Assert.True(exitCode == 0, output);
            Assert.Contains($"SUCCESS: {queries.Count} rules found", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        foreach (var metric in new[] { "corbado_oidc_logins_total", "corbado_oidc_login_duration_seconds_bucket", "corbado_oidc_tokens_issued_total",
            "corbado_oidc_code_replays_total", "corbado_oidc_jwks_refreshes_total", "corbado_oidc_remote_verifications_total",
            "corbado_oidc_pruned_rows_total", "corbado_oidc_passkey_keys_available", "corbado_oidc_backchannel_logouts_total" })
        {
            Assert.Contains(queries, query => query.Contains(metric, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Alertmanager_AmtoolCheckConfig_AcceptsTheRouting()
    {
        var (exitCode, output) = await DeploymentTests.RunAsync("amtool", ["check-config", Path.Combine(Folder, "alertmanager.yml")]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public async Task JobLabel_IsTheSameInTheScrapeConfigTheAlertsAndTheServiceMonitor()
    {
        var scrape = await File.ReadAllTextAsync(Path.Combine(Folder, "prometheus.yml"));
        var alerts = await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.yml"));
        var (exitCode, manifests) = await DeploymentTests.RunAsync("node", [Path.Combine(DeploymentTests.SchemaCheck, "validate.mjs"), Path.Combine(DeploymentTests.Deploy, "kubernetes")]);
        Assert.True(exitCode == 0, manifests);
        var documents = JsonDocument.Parse(manifests).RootElement.EnumerateArray().ToList();

        var job = Assert.Single(JobName().Matches(scrape)).Groups[1].Value;
        Assert.All(JobMatcher().Matches(alerts), match => Assert.Equal(job, match.Groups[1].Value));
        Assert.NotEmpty(JobMatcher().Matches(alerts));
        // prometheus-operator: the job label is the value of the Service's label named by the ServiceMonitor's jobLabel.
        var monitor = documents.Single(d => d.GetProperty("kind").GetString() == "ServiceMonitor").GetProperty("spec");
        var jobLabel = monitor.GetProperty("jobLabel").GetString()!;
        var selector = monitor.GetProperty("selector").GetProperty("matchLabels");
        var service = documents.Single(d => d.GetProperty("kind").GetString() == "Service"
            && selector.EnumerateObject().All(label => d.GetProperty("metadata").GetProperty("labels").TryGetProperty(label.Name, out var value) && value.GetString() == label.Value.GetString()));
        Assert.Equal(job, service.GetProperty("metadata").GetProperty("labels").GetProperty(jobLabel).GetString());
    }

    [Fact]
    public async Task ShippedConfiguration_RunByPrometheus_ScrapesTwoReplicasAndLoadsEveryRule()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        using var fleet = new ServerFleet(connectionString, 2, managementPorts: true);
        await fleet.StartAllAsync(TimeSpan.FromSeconds(90));
        var work = Directory.CreateTempSubdirectory("corbado-oidc-prometheus-").FullName;
        try
        {
            // Stated substitutions: the compose service names become the replicas' loopback management ports, the
            // Alertmanager a closed loopback port, and the intervals 2 s so the test does not wait 15.
            var configuration = Substitute(await File.ReadAllTextAsync(Path.Combine(Folder, "prometheus.yml")), new()
            {
                ["\"server-1:9090\", \"server-2:9090\""] = string.Join(", ", fleet.ManagementAddresses.Select(address => $"\"127.0.0.1:{address.Port}\"")),
                ["alertmanager:9093"] = $"127.0.0.1:{LoopbackPorts.Free()}",
                ["scrape_interval: 15s"] = "scrape_interval: 2s",
                ["evaluation_interval: 30s"] = "evaluation_interval: 2s",
            });
            await File.WriteAllTextAsync(Path.Combine(work, "prometheus.yml"), configuration);
            File.Copy(Path.Combine(Folder, "alerts.yml"), Path.Combine(work, "alerts.yml"));
            var port = LoopbackPorts.Free();
            using var prometheus = ServerProcess.StartProgram("prometheus",
                ["--config.file=" + Path.Combine(work, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(work, "data"), $"--web.listen-address=127.0.0.1:{port}"],
                new Dictionary<string, string?>(), work);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };

            var targets = await PollAsync(client, "api/v1/targets", data => data.GetProperty("activeTargets").EnumerateArray().Count(t => t.GetProperty("health").GetString() == "up") == 2, prometheus);
            var rules = await PollAsync(client, "api/v1/rules", data => data.GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray()).All(r => r.GetProperty("health").GetString() == "ok"), prometheus);
            var keys = await PollAsync(client, "api/v1/query?query=corbado_oidc_passkey_keys_available", data => data.GetProperty("result").GetArrayLength() == 2, prometheus);

            Assert.All(targets.GetProperty("activeTargets").EnumerateArray(), target => Assert.Equal("corbado-oidc", target.GetProperty("labels").GetProperty("job").GetString()));
            var loaded = rules.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).Select(r => r.GetProperty("name").GetString()!);
            Assert.Equal(AlertNames().Order(StringComparer.Ordinal), loaded.Order(StringComparer.Ordinal));
            Assert.All(keys.GetProperty("result").EnumerateArray(), series => Assert.Equal("1", series.GetProperty("value")[1].GetString()));

            // Every dashboard query runs on this Prometheus.
            foreach (var query in DashboardQueries())
            {
                using var answer = JsonDocument.Parse(await client.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query)));
                Assert.Equal("success", answer.RootElement.GetProperty("status").GetString());
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The <c>expr</c> of every panel target of deploy/grafana/corbado-oidc.json.</summary>
    private static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(DeploymentTests.Deploy, "grafana", "corbado-oidc.json")));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)];
    }

    /// <summary>The alert names of alerts.yml.</summary>
    internal static IReadOnlyList<string> AlertNames()
        => [.. AlertName().Matches(File.ReadAllText(Path.Combine(Folder, "alerts.yml"))).Select(match => match.Groups[1].Value)];

    internal static string Substitute(string text, Dictionary<string, string> substitutions)
    {
        foreach (var (from, to) in substitutions)
        {
            Assert.Contains(from, text);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Polls a Prometheus API path until <paramref name="done"/> holds for its <c>data</c> (bounded: 60 s).</summary>
    private static async Task<JsonElement> PollAsync(HttpClient client, string path, Func<JsonElement, bool> done, ServerProcess prometheus)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline && !prometheus.HasExited)
        {
            try
            {
                last = await client.GetStringAsync(path);
                var data = JsonDocument.Parse(last).RootElement.GetProperty("data").Clone();
                if (done(data))
                {
                    return data;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(500);
        }

        throw new Xunit.Sdk.XunitException($"Prometheus never satisfied {path}. Last answer: {last}\nPrometheus output:\n{prometheus.Output}");
    }

    private static Task<(int ExitCode, string Output)> RunInAsync(string directory, string fileName, params string[] arguments)
        => DeploymentTests.RunAsync("bash", ["-c", $"cd '{directory}' && exec {fileName} {string.Join(' ', arguments)}"]);

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (\w+)")]
    private static partial Regex TestedAlert();

    [GeneratedRegex(@"job_name: ([\w-]+)")]
    private static partial Regex JobName();

    [GeneratedRegex(@"job=""([^""]+)""")]
    private static partial Regex JobMatcher();
}
