using System.Text.RegularExpressions;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Issue 22: docs/operations.md's troubleshooting tables name every reason code the server can produce (every entry of
/// the refusal catalogue, <see cref="Refusals"/>), with a cause and a fix.
/// </summary>
public sealed partial class ReasonCodeTableTests
{
    [Fact]
    public async Task TroubleshootingTables_NameEveryReasonCode_WithCauseAndFix()
    {
        var root = RepositoryFiles.Root;
        var operations = await File.ReadAllTextAsync(Path.Combine(root, "docs", "operations.md"));
        var section = operations[operations.IndexOf("## Troubleshooting: reason codes", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(section))
        {
            Assert.True(row.Groups["cause"].Value.Trim().Length > 10 && row.Groups["fix"].Value.Trim().Length > 10, row.Value);
            documented.UnionWith(Code().Matches(row.Groups["codes"].Value).Select(code => code.Groups[1].Value));
        }

        Assert.Empty(Refusals.All.Keys.Except(documented).Order(StringComparer.Ordinal));
        Assert.Empty(documented.Except(Refusals.All.Keys).Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"^\| (?<codes>`[a-z_]+`(?: / `[a-z_]+`)*) \|(?<cause>[^|]+)\|(?<fix>[^|]+)\|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Code();
}
