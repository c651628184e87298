using System.Text.RegularExpressions;
using Corbado.Oidc.Core.PasskeyLogin;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Issue 22: docs/operations.md's troubleshooting tables name every reason code the server can produce, with a cause and a
/// fix. Until the refusal catalogue of issue 18 exists, the codes are read where they are declared today: the verifier's
/// failures (<see cref="PasskeyLoginFailureCodes"/>), and the reason constants and refusal literals of Login/PasskeyLoginFlow.cs.
/// </summary>
public sealed partial class ReasonCodeTableTests
{
    [Fact]
    public async Task TroubleshootingTables_NameEveryReasonCode_WithCauseAndFix()
    {
        var root = Deployment.DeploymentTests.Root;
        var operations = await File.ReadAllTextAsync(Path.Combine(root, "docs", "operations.md"));
        var section = operations[operations.IndexOf("## Troubleshooting: reason codes", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(section))
        {
            Assert.True(row.Groups["cause"].Value.Trim().Length > 10 && row.Groups["fix"].Value.Trim().Length > 10, row.Value);
            documented.UnionWith(Code().Matches(row.Groups["codes"].Value).Select(code => code.Groups[1].Value));
        }

        var flow = await File.ReadAllTextAsync(Path.Combine(root, "src", "Corbado.Oidc.Server", "Login", "PasskeyLoginFlow.cs"));
        var produced = Enum.GetValues<PasskeyLoginFailure>().Select(failure => failure.ToReasonCode())
            .Concat(ReasonConstant().Matches(flow).Select(match => match.Groups[1].Value))
            .Concat(RefusalLiteral().Matches(flow).Select(match => match.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(produced.Count > 20, string.Join(", ", produced));
        Assert.Empty(produced.Except(documented).Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"^\| (?<codes>`[a-z_]+`(?: / `[a-z_]+`)*) \|(?<cause>[^|]+)\|(?<fix>[^|]+)\|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"public const string \w+ = ""([a-z_]+)"";")]
    private static partial Regex ReasonConstant();

    [GeneratedRegex(@"Refuse(?:Token)?\((?:GrantTypes\.\w+, )?""([a-z_]+)""")]
    private static partial Regex RefusalLiteral();
}
