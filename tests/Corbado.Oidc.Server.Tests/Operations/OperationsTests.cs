using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Issue 14, proven on the published server: after a mix of accepted and refused logins at both doors, the management
/// port's Prometheus scrape counts them per outcome and reason code, the public port has no <c>/metrics</c>, and the JSON
/// console output carries exactly one audit event per attempt, with its fields and without any secret value.
/// </summary>
public sealed partial class OperationsTests(MixedLoginRun run) : IClassFixture<MixedLoginRun>
{
    private const string TestSubject = "c364a852-0071-70a4-0fe8-ed5728aa9522";

    [Fact]
    public async Task Scrape_AfterMixedLogins_CountsPerOutcomeAndReason()
    {
        using var management = run.Server.CreateManagementClient();

        var samples = Parse(await management.GetStringAsync("metrics"));

        double Logins(string outcome, string reason) => Value(samples, "corbado_oidc_logins_total",
            ("outcome", outcome), ("reason", reason), ("client_id", OperatedServer.ClientId));
        Assert.Equal(MixedLoginRun.AcceptedLogins, Logins("accepted", "none"));
        Assert.Equal(MixedLoginRun.ReplayedLogins, Logins("refused", "replayed"));
        Assert.Equal(1, Logins("refused", "bad_signature"));
        Assert.Equal(1, Logins("refused", "missing_hint"));
        Assert.Equal(1, Logins("refused", "max_age_exceeded"));
        Assert.Equal(10, samples.Where(s => s.Name == "corbado_oidc_logins_total").Sum(s => s.Value));
        Assert.Equal(MixedLoginRun.TokensIssued, Value(samples, "corbado_oidc_tokens_issued_total",
            ("grant_type", "authorization_code"), ("client_id", OperatedServer.ClientId)));
        Assert.Equal(1, Value(samples, "corbado_oidc_code_replays_total", ("client_id", OperatedServer.ClientId)));
        // Every attempt but the one without a hint was verified.
        Assert.Equal(9, Value(samples, "corbado_oidc_login_duration_seconds_count", ("step", "hint_verification")));
        // Codes are issued by the one login core, whichever door took the request.
        Assert.Equal(MixedLoginRun.AcceptedLogins, Value(samples, "corbado_oidc_login_duration_seconds_count", ("step", "code_issue")));
        Assert.Equal(2, Value(samples, "corbado_oidc_login_duration_seconds_count", ("step", "token")));
        // The platform's own instruments are exported too.
        // The request duration by route and status, as the Grafana dashboard queries it (ASP.NET Core's own meter,
        // subscribed by name: deploy/grafana/corbado-oidc.json). The protocol endpoints, answered before routing by
        // OpenIddict or the fast door, carry their path as the route too (ServerTelemetry.UseProtocolRouteTags).
        var durations = samples.Where(s => s.Name == "http_server_request_duration_seconds_count").ToList();
        bool Route(string route, string status) => durations.Any(s => s.Labels.GetValueOrDefault("http_route") == route
            && s.Labels.GetValueOrDefault("http_response_status_code") == status);
        Assert.True(Route("/authorize", "302") && Route("/token", "200") && Route("/health/ready", "200"),
            string.Join("; ", durations.Select(s => string.Join(",", s.Labels.Select(l => l.Key + "=" + l.Value)))));
        Assert.Contains(samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name.StartsWith("process_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManagementPort_ServesMetricsAndHealthOnly_PublicPortHasNoMetrics()
    {
        using var management = run.Server.CreateManagementClient();
        using var publicClient = run.Server.CreatePublicClient();

        Assert.Equal(HttpStatusCode.NotFound, run.PublicMetricsStatus);
        using (var spoofed = new HttpRequestMessage(HttpMethod.Get, "metrics"))
        {
            // The Host header is the caller's to choose; the management port is told apart by the socket.
            spoofed.Headers.Host = run.Server.ManagementAddress.Authority;
            Assert.Equal(HttpStatusCode.NotFound, (await publicClient.SendAsync(spoofed)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await publicClient.GetAsync("health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync(".well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync("authorize?client_id=" + OperatedServer.ClientId)).StatusCode);
    }

    [Fact]
    public async Task AuditTrail_AfterMixedLogins_OneJsonEventPerAttemptWithFieldsAndNoSecrets()
    {
        await run.Server.WaitForOutputAsync(output => Regex.Count(output, "\"Category\":\"Corbado.Oidc.Audit\"") >= 13, TimeSpan.FromSeconds(10));

        var lines = run.Server.JsonLines();
        var audit = lines.Where(line => line.GetProperty("Category").GetString() == "Corbado.Oidc.Audit").ToList();
        var logins = audit.Where(e => State(e, "AuditEvent") == "login").ToList();
        var tokens = audit.Where(e => State(e, "AuditEvent") == "token").ToList();

        Assert.Empty(run.Server.OtherLines());
        Assert.All(audit, e => Assert.Equal(4000, e.GetProperty("EventId").GetInt32()));
        Assert.Equal(10, logins.Count);
        Assert.Equal(3, tokens.Count);
        Assert.Equal(13, audit.Count);

        var accepted = logins.Where(e => State(e, "Outcome") == "accepted").ToList();
        Assert.Equal(MixedLoginRun.AcceptedLogins, accepted.Count);
        Assert.Equal(accepted.Count, accepted.Select(e => State(e, "JtiHash")).Distinct().Count());
        var expectedSubjectHash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestAuditSalt.Value), Encoding.UTF8.GetBytes(TestSubject))[..16]);
        foreach (var e in accepted)
        {
            Assert.Null(State(e, "Reason"));
            Assert.Equal(OperatedServer.ClientId, State(e, "ClientId"));
            Assert.Equal(expectedSubjectHash, State(e, "SubjectHash"));
            Assert.Equal(run.Server.IssuerKey.KeyId, State(e, "KeyId"));
            Assert.Matches("^[A-Za-z0-9_-]{20,}$", State(e, "JtiHash"));
            Assert.Equal("127.0.0.1", State(e, "ClientIp"));
            Assert.Equal(OperatedServer.UserAgent, State(e, "UserAgent"));
            Assert.True(DateTimeOffset.TryParse(State(e, "Time"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time));
            Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.True(TraceId(e) is { Length: 32 }, "An audit event carries the trace id of its request: " + e.GetRawText());
        }

        Assert.Equal(["bad_signature", "max_age_exceeded", "missing_hint", "replayed", "replayed"],
            logins.Where(e => State(e, "Outcome") == "refused").Select(e => State(e, "Reason")).Order(StringComparer.Ordinal));
        // The login core names the refusal, whichever door answered it.
        Assert.Equal([null, null, "code_replayed"], tokens.Select(e => State(e, "Reason")).Order(StringComparer.Ordinal));
        Assert.All(tokens, e => Assert.Equal("authorization_code", State(e, "GrantType")));
        Assert.All(tokens.Where(e => State(e, "Outcome") == "accepted"), e => Assert.Equal(expectedSubjectHash, State(e, "SubjectHash")));

        var output = run.Server.Output;
        Assert.DoesNotContain(TestSubject, output);
        foreach (var secret in run.Secrets)
        {
            // A hint's signature or a token's tail is enough to be worth stealing: look for the last 24 characters too.
            Assert.False(output.Contains(secret, StringComparison.Ordinal) || output.Contains(secret[^24..], StringComparison.Ordinal),
                $"The JSON output contains a secret value ending in {secret[^6..]}.");
        }
    }

    /// <summary>
    /// docs/operations.md's audit query, run by bash as pasted, with one stated substitution: <c>journalctl</c> prints this
    /// server's console output (what journald keeps of the unit's standard output).
    /// </summary>
    [Fact]
    public async Task AuditQueryOfTheDocs_AsPasted_FindsExactlyTheUsersEvents()
    {
        await run.Server.WaitForOutputAsync(output => Regex.Count(output, "\"Category\":\"Corbado.Oidc.Audit\"") >= 13, TimeSpan.FromSeconds(10));
        var doc = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "docs", "operations.md"));
        var block = ShellBlock().Match(doc, doc.IndexOf("To find a user's events", StringComparison.Ordinal)).Groups[1].Value;
        Assert.Contains("journalctl -u corbado-oidc -o cat", block);
        var directory = Directory.CreateTempSubdirectory("corbado-oidc-audit-").FullName;
        try
        {
            var journal = Path.Combine(directory, "journal");
            await File.WriteAllTextAsync(journal, run.Server.Output);
            var script = $"journalctl() {{ cat '{journal}'; }}\n{block}";
            using var shell = ServerProcess.StartProgram("bash", ["-c", script], new Dictionary<string, string?>
            {
                ["SUBJECT"] = TestSubject,
                ["AUDIT_SUBJECT_HASH_SALT"] = TestAuditSalt.Value,
            }, directory);
            Assert.Equal(0, await shell.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            var expectedHash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestAuditSalt.Value), Encoding.UTF8.GetBytes(TestSubject))[..16]);
            var expected = run.Server.JsonLines().Count(line => line.GetProperty("Category").GetString() == "Corbado.Oidc.Audit" && State(line, "SubjectHash") == expectedHash);
            var found = shell.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.True(expected >= MixedLoginRun.AcceptedLogins, $"{expected} events of the user in the output");
            Assert.Equal(expected, found.Count);
            Assert.All(found, line => Assert.Equal(expectedHash, State(line, "SubjectHash")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    private static string? State(JsonElement line, string name)
        => line.GetProperty("State").TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is not ("(null)" or "")
            ? value.GetString() : null;

    private static string? TraceId(JsonElement line)
        => line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _))
                .Select(s => s.GetProperty("TraceId").GetString()).FirstOrDefault()
            : null;

    private sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private static double Value(IEnumerable<Sample> samples, string name, params (string Key, string Value)[] labels)
        => samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

    /// <summary>The Prometheus text exposition format: <c>name{label="value",…} value [timestamp]</c>, comments skipped.</summary>
    private static List<Sample> Parse(string exposition)
    {
        var samples = new List<Sample>();
        foreach (var line in exposition.Split('\n'))
        {
            if (SampleLine().Match(line) is not { Success: true } match)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>[^\s]+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
