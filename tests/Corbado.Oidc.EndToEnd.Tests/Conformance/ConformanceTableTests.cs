using System.Reflection;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// docs/conformance.md against the tests: every row names a test of this folder that exists and is named after the
/// row's module, every module test here (a test named <c>oidcc_…</c>) has a row, and the command the page shows selects
/// exactly the tests of this folder.
/// </summary>
public sealed partial class ConformanceTableTests
{
    private static readonly string Namespace = typeof(ConformanceTableTests).Namespace!;

    private static string Document => File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "conformance.md")).ReplaceLineEndings("\n");

    /// <summary>Every test method of the assembly as "Class.method", with its namespace.</summary>
    private static IEnumerable<(string Namespace, string Name)> Tests() =>
        from type in typeof(ConformanceTableTests).Assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        where method.GetCustomAttributes<FactAttribute>().Any()
        select (type.Namespace ?? "", type.Name + "." + method.Name);

    private static List<(string Module, string Plan, string Test, string Result)> Rows() =>
        [.. TableRow().Matches(Document).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value))];

    [Fact]
    public void Table_NamesEveryModuleTestOfTheFolder_AndOnlyTestsThatExist()
    {
        var rows = Rows();
        var moduleTests = Tests().Where(t => t.Namespace == Namespace && t.Name.Split('.')[1].StartsWith("oidcc_", StringComparison.Ordinal)).Select(t => t.Name).ToHashSet();

        Assert.NotEmpty(moduleTests);
        Assert.Equal(Document.Split('\n').Count(line => line.StartsWith("| oidcc-", StringComparison.Ordinal)), rows.Count);
        var unknown = rows.Select(r => r.Test).Where(t => !moduleTests.Contains(t)).ToList();
        Assert.True(unknown.Count == 0, "Rows naming no test of the Conformance folder: " + string.Join(", ", unknown));
        var missing = moduleTests.Where(t => !rows.Any(r => r.Test == t)).ToList();
        Assert.True(missing.Count == 0, "Module tests without a row in docs/conformance.md: " + string.Join(", ", missing));
        Assert.Equal(rows.Count, rows.Select(r => r.Test).Distinct().Count());
    }

    [Fact]
    public void Rows_NameTheirModule_AndSayTheResult()
    {
        foreach (var (module, plan, test, result) in Rows())
        {
            var method = test.Split('.')[1];
            var expected = plan.EndsWith("(form_post)", StringComparison.Ordinal) ? module.Replace('-', '_') + "_form_post" : module.Replace('-', '_');
            Assert.True(method == expected, $"{test} is not named after {module} ({plan})");
            Assert.Matches("^(passed|not applicable: .+)", result);
        }
    }

    [Fact]
    public void DocumentedCommand_FilterSelectsExactlyTheConformanceTests()
    {
        var command = Assert.Single(Regex.Matches(Document, "^dotnet test (\\S+) --filter \"FullyQualifiedName~([^\"]+)\"$", RegexOptions.Multiline));
        Assert.Equal("tests/Corbado.Oidc.EndToEnd.Tests", command.Groups[1].Value);
        Assert.True(Directory.Exists(Path.Combine(RepositoryFiles.Root, command.Groups[1].Value)));

        // VSTest's "~" is a substring match on the fully qualified name (namespace, class, method).
        var value = command.Groups[2].Value;
        var selected = Tests().Where(t => (t.Namespace + "." + t.Name).Contains(value, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(selected);
        Assert.All(selected, t => Assert.Equal(Namespace, t.Namespace));
        Assert.Equal(Tests().Count(t => t.Namespace == Namespace), selected.Count);
    }

    [GeneratedRegex(@"^\| (oidcc-[a-z0-9-]+) \| ([^|]+) \| ([A-Za-z]+\.[A-Za-z0-9_]+) \| ([^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
