using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Issue 22: the admin API on the management port only (the public port answers 404 whatever the key), limited per
/// client IP, and audited: every change and every refused key is an audit event (category Corbado.Oidc.Audit, event id
/// 4000) that names the user by its subject hash, never by the subject or the key.
/// </summary>
public sealed class AdminApiTests
{
    private const string ApiKey = "admin-key-0123456789-0123456789-0123456789";
    private const string Subject = "admin-api-user-7";

    [Fact]
    public async Task AdminApi_OnTheManagementPort_StoresReadsAndRemovesProfiles_AndAuditsEachChange()
    {
        using var server = await OperatedServer.StartAsync(new Dictionary<string, string?> { ["Admin__ApiKey"] = ApiKey });
        using var admin = AdminClient(server, ApiKey);

        using var put = await admin.PutAsJsonAsync($"admin/users/{Subject}", new { email = "u7@example.com", email_verified = true, name = "User Seven" });
        using var get = await admin.GetAsync($"admin/users/{Subject}");
        using var typo = await admin.PutAsJsonAsync($"admin/users/{Subject}", new { emial = "typo@example.com" });
        using var delete = await admin.DeleteAsync($"admin/users/{Subject}");
        using var gone = await admin.GetAsync($"admin/users/{Subject}");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var profile = await get.ReadJsonAsync();
        Assert.Equal("u7@example.com", profile.GetProperty("email").GetString());
        Assert.True(profile.GetProperty("email_verified").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        Assert.Contains("emial", await typo.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var events = await AuditEventsAsync(server, 3);
        Assert.Equal(["admin.user_set:accepted", "admin.user_set:refused", "admin.user_removed:accepted"],
            events.Select(e => State(e, "AuditEvent") + ":" + State(e, "Outcome")));
        var subjectHash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestAuditSalt.Value), Encoding.UTF8.GetBytes(Subject))[..16]);
        Assert.All(events, e =>
        {
            Assert.Equal(4000, e.GetProperty("EventId").GetInt32());
            Assert.Equal("api", State(e, "Actor"));
            Assert.Equal("subject hash " + subjectHash, State(e, "Target"));
            Assert.Equal("127.0.0.1", State(e, "ClientIp"));
            // The event names the user by hash only (the request path in the line's scope is the URL the operator chose).
            Assert.DoesNotContain(Subject, e.GetProperty("Message").GetString());
            Assert.DoesNotContain(Subject, e.GetProperty("State").GetRawText());
        });
        Assert.DoesNotContain(ApiKey, server.Output);
    }

    [Fact]
    public async Task AdminApi_Sessions_ListedAndRevokedBySidAndSub_Audited()
    {
        using var server = await OperatedServer.StartAsync(new Dictionary<string, string?> { ["Admin__ApiKey"] = ApiKey });
        string sid;
        using (var sameDatabase = new CorbadoOidcServerFactory(settings => settings["ConnectionStrings:Oidc"] = $"Data Source={Path.Combine(server.Directory, "oidc.db")}"))
        {
            var sessions = sameDatabase.Services.GetRequiredService<Corbado.Oidc.Server.Login.Sessions.IdpSessions>();
            sid = (await sessions.SignedInAsync(null, Subject, DateTimeOffset.UtcNow, ["pop"], OperatedServer.ClientId, default)).Session.Sid;
            await sessions.SignedInAsync(null, Subject, DateTimeOffset.UtcNow, ["pop"], OperatedServer.ClientId, default);
        }

        using var admin = AdminClient(server, ApiKey);
        using var listed = await admin.GetAsync($"admin/sessions?sub={Subject}");
        using var noSub = await admin.GetAsync("admin/sessions");
        using var both = await admin.DeleteAsync($"admin/sessions?sub={Subject}&sid={sid}");
        using var bySid = await admin.DeleteAsync($"admin/sessions?sid={sid}");
        using var bySub = await admin.DeleteAsync($"admin/sessions?sub={Subject}");
        using var after = await admin.GetAsync($"admin/sessions?sub={Subject}");
        using var unauthenticated = AdminClient(server, null);
        using var refused = await unauthenticated.DeleteAsync($"admin/sessions?sub={Subject}");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var sessionsJson = (await listed.ReadJsonAsync()).EnumerateArray().ToList();
        Assert.Equal(2, sessionsJson.Count);
        Assert.Contains(sessionsJson, s => s.GetProperty("sid").GetString() == sid && s.GetProperty("clients")[0].GetString() == OperatedServer.ClientId);
        Assert.Equal(HttpStatusCode.BadRequest, noSub.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(sid, (await bySid.ReadJsonAsync()).GetProperty("ended")[0].GetString());
        Assert.Equal(1, (await bySub.ReadJsonAsync()).GetProperty("ended").GetArrayLength());
        Assert.Empty((await after.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await server.WaitForOutputAsync(output => output.Contains("admin.session_revoked", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("session " + sid, server.Output);
    }

    [Fact]
    public async Task AdminApi_OnThePublicPort_IsNotServed_EvenWithTheKey()
    {
        using var server = await OperatedServer.StartAsync(new Dictionary<string, string?> { ["Admin__ApiKey"] = ApiKey });
        using var publicClient = server.CreatePublicClient();
        publicClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

        using var get = await publicClient.GetAsync($"admin/users/{Subject}");
        using var put = await publicClient.PutAsJsonAsync($"admin/users/{Subject}", new { name = "Mallory" });
        using var admin = AdminClient(server, ApiKey);
        using var stored = await admin.GetAsync($"admin/users/{Subject}");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Fact]
    public async Task AdminApi_WrongOrMissingKey_401AndAudited_ThenRateLimitedPerIp()
    {
        using var server = await OperatedServer.StartAsync(new Dictionary<string, string?>
        {
            ["Admin__ApiKey"] = ApiKey,
            ["Admin__RequestsPerMinute"] = "3",
        });
        using var none = AdminClient(server, null);
        using var wrong = AdminClient(server, "wrong-key-0123456789-0123456789-0123456789");
        using var right = AdminClient(server, ApiKey);

        using var first = await none.GetAsync($"admin/users/{Subject}");
        using var second = await wrong.GetAsync($"admin/users/{Subject}");
        using var third = await right.GetAsync($"admin/users/{Subject}");
        using var fourth = await right.GetAsync($"admin/users/{Subject}");

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, third.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.True(fourth.Headers.RetryAfter?.Delta > TimeSpan.Zero, fourth.Headers.ToString());
        var refused = await AuditEventsAsync(server, 2);
        Assert.All(refused, e => Assert.Equal("admin.api_key_refused:refused", State(e, "AuditEvent") + ":" + State(e, "Outcome")));
        Assert.DoesNotContain("wrong-key-0123456789", server.Output);
    }

    [Fact]
    public async Task AdminApi_NoKeyConfigured_IsNotServedOnEitherPort()
    {
        using var server = await OperatedServer.StartAsync();
        using var admin = AdminClient(server, ApiKey);
        using var publicClient = server.CreatePublicClient();

        using var management = await admin.GetAsync($"admin/users/{Subject}");
        using var publicPort = await publicClient.GetAsync($"admin/users/{Subject}");

        Assert.Equal(HttpStatusCode.NotFound, management.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, publicPort.StatusCode);
    }

    [Fact]
    public async Task CommandLine_ClientAndUserChanges_AreAuditEvents_WithoutSecretsOrSubjects()
    {
        var directory = Directory.CreateTempSubdirectory("corbado-oidc-cli-audit-").FullName;
        try
        {
            var jwksFile = Path.Combine(directory, "issuer.jwks.json");
            using (var key = TestSigningKey.CreateRsa())
            {
                await File.WriteAllTextAsync(jwksFile, TestSigningKey.ToJwksJson(key));
            }

            var environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Oidc__Issuer"] = "https://login.example.com/",
                ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
                ["Corbado__JwksFile"] = jwksFile,
                ["ConnectionStrings__Oidc"] = $"Data Source={Path.Combine(directory, "oidc.db")}",
                ["Logging__Console__FormatterName"] = "json",
            };

            var (addExit, added) = await ServerProcess.RunAsync(environment, directory, "clients", "add", "--client-id", "cli-audit-rp", "--redirect-uri", "https://rp.example.com/cb");
            var (setExit, set) = await ServerProcess.RunAsync(environment, directory, "users", "set", "--sub", Subject, "--email", "u7@example.com");
            var (removeExit, removed) = await ServerProcess.RunAsync(environment, directory, "clients", "remove", "--client-id", "cli-audit-rp");

            Assert.Equal((0, 0, 0), (addExit, setExit, removeExit));
            var secret = added.Split('\n').Single(line => line.StartsWith("client_secret: ", StringComparison.Ordinal))["client_secret: ".Length..].Trim();
            var events = (added + set + removed).Split('\n').Where(line => line.StartsWith('{'))
                .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
            Assert.Equal(["admin.client_registered", "admin.user_set", "admin.client_removed"], events.Select(e => State(e, "AuditEvent")));
            Assert.All(events, e =>
            {
                Assert.Equal("Corbado.Oidc.Audit", e.GetProperty("Category").GetString());
                Assert.Equal("cli", State(e, "Actor"));
                Assert.DoesNotContain(secret, e.GetRawText());
                Assert.DoesNotContain(Subject, e.GetRawText());
            });
            Assert.Equal("client cli-audit-rp", State(events[0], "Target"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static HttpClient AdminClient(OperatedServer server, string? key)
    {
        var client = server.CreateManagementClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    private static async Task<List<JsonElement>> AuditEventsAsync(OperatedServer server, int count)
    {
        await server.WaitForOutputAsync(output => output.Split("\"AuditEvent\":\"admin.", StringSplitOptions.None).Length > count, TimeSpan.FromSeconds(10));
        return [.. server.JsonLines().Where(line => line.GetProperty("Category").GetString() == "Corbado.Oidc.Audit"
            && (State(line, "AuditEvent") ?? "").StartsWith("admin.", StringComparison.Ordinal))];
    }

    private static string? State(JsonElement line, string name)
        => line.GetProperty("State").TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
