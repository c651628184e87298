using System.Text.RegularExpressions;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// Issue 22: start-up reports every section's problems in one list (Audit and Management no longer wait until the others
/// are valid), and refuses the secrets the repository's examples show, naming the setting.
/// </summary>
public sealed partial class StartupValidationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("corbado-oidc-startup-").FullName;

    [Fact]
    public async Task Start_WithProblemsInFiveSections_ListsThemAllInOneRun()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Free()}",
            ["Oidc__Issuer"] = "http://login.example.com/",
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Corbado__JwksUrl"] = "https://pro-1.frontendapi.corbado.io/.well-known/jwks",
            ["Corbado__ClockSkew"] = "soon",
            ["Management__Port"] = "70000",
            [TestAuditSalt.Variable] = "REPLACE_ME_WITH_OPENSSL_RAND_BASE64_32_00000",
            ["Admin__ApiKey"] = "REPLACE_ME_WITH_AT_LEAST_32_CHARACTERS_0000000",
            ["ConnectionStrings__Oidc"] = $"Data Source={Path.Combine(_directory, "oidc.db")}",
        };

        using var server = ServerProcess.Start(environment, [], _directory);
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        var output = server.Output;
        Assert.Contains("Corbado.Oidc cannot start: the configuration is invalid.", output);
        Assert.Contains("'Corbado:ClockSkew'", output);
        Assert.Contains("Oidc:Issuer", output);
        Assert.Contains("Management:Port must be between 1 and 65535", output);
        Assert.Contains("Audit:SubjectHashSalt still holds the placeholder value", output);
        Assert.Contains("Admin:ApiKey still holds the placeholder value", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(Path.Combine(_directory, "oidc.db")));
    }

    [Fact]
    public async Task ExampleSecretValues_InDeployReadmeAndDocs_AreEachRefusedNamingTheSetting()
    {
        var root = RepositoryFiles.Root;
        var files = Directory.EnumerateFiles(Path.Combine(root, "deploy"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
            .Append(Path.Combine(root, "README.md"));
        var examples = new List<(string Setting, string Value, string File)>();
        foreach (var file in files)
        {
            foreach (Match match in ExampleAssignment().Matches(await File.ReadAllTextAsync(file)))
            {
                var value = match.Groups["value"].Value.Trim('"', '\'');
                // Variable references and command substitutions are the operator's own values, not examples.
                if (!value.StartsWith('$') && !value.StartsWith('<'))
                {
                    examples.Add((match.Groups["setting"].Value, value, Path.GetRelativePath(root, file)));
                }
            }
        }

        // The Kubernetes Secret and the systemd environment file hold examples of both (the guard must see them).
        Assert.Contains(examples, e => e.Setting == "Admin" && e.File.EndsWith("secret.yaml", StringComparison.Ordinal));
        Assert.Contains(examples, e => e.Setting == "Audit" && e.File.EndsWith("corbado-oidc.env", StringComparison.Ordinal));
        var admin = new AdminOptionsValidator(Options.Create(new ManagementOptions { Port = 9090 }));
        var audit = new AuditOptionsValidator(isDevelopment: false);
        Assert.All(examples, example =>
        {
            var result = example.Setting == "Admin"
                ? admin.Validate(null, new AdminOptions { ApiKey = example.Value })
                : audit.Validate(null, new AuditOptions { SubjectHashSalt = example.Value });
            Assert.True(result.Failed, $"{example.File}: {example.Setting} example '{example.Value}' passes validation");
            Assert.Contains(example.Setting == "Admin" ? "Admin:ApiKey" : "Audit:SubjectHashSalt", result.FailureMessage);
        });
    }

    [Fact]
    public void AdminApiKey_WithoutManagementPort_IsRefused_TheApiIsServedOnlyThere()
    {
        var result = new AdminOptionsValidator(Options.Create(new ManagementOptions()))
            .Validate(null, new AdminOptions { ApiKey = "k7Qw2-real-looking-key-0123456789abcdefgh" });

        Assert.True(result.Failed);
        Assert.Contains("Management:Port", result.FailureMessage);
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

    // Admin__ApiKey=…, Admin:ApiKey: …, Audit__SubjectHashSalt: … in env files, YAML, shell blocks and prose.
    [GeneratedRegex(@"(?<setting>Admin|Audit)(?:__|:)(?:ApiKey|SubjectHashSalt)[""']?\s*[=:]\s*(?<value>[^\s`|)]{8,})")]
    private static partial Regex ExampleAssignment();
}
