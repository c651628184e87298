using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Issue 22: README.md's configuration table is checked against the options classes. Every public settable property
/// of every options class has a row (<c>Section:Name</c>, <c>:N</c> for a list or a client index), and a default
/// written in backticks is the value a freshly constructed options object uses (its <c>Effective…</c> property when
/// the class resolves an absent value, for example <see cref="CorbadoOptions.EffectiveAlgorithms"/>). The one
/// convention: durations in <see cref="TimeSpan"/>'s constant format (<c>00:05:00</c>, <c>1.00:00:00</c>), booleans
/// <c>true</c>/<c>false</c>, numbers invariant, lists comma-separated; a setting without a value (null, empty) is
/// documented with a word (none, required, …), never a backticked value.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    private static readonly Type[] OptionsClasses =
    [
        typeof(CorbadoOptions), typeof(OidcOptions), typeof(KeysOptions), typeof(AdminOptions), typeof(AuditOptions),
        typeof(ManagementOptions), typeof(RateLimitingOptions), typeof(ForwardedHeadersSettings), typeof(PasskeysOptions), typeof(DatabaseOptions), typeof(SessionsOptions),
        typeof(ClientRegistration), typeof(BackchannelLogoutOptions),
    ];

    [Fact]
    public void EveryOptionsClassOfCore_IsCoveredHere()
    {
        var declared = typeof(CorbadoOptions).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(CorbadoOptions).Namespace && type.GetField("SectionName") is not null);
        Assert.Empty(declared.Except(OptionsClasses).Select(type => type.Name));
    }

    [Fact]
    public void EverySetting_HasARow_WithTheCodesDefault()
    {
        var rows = ReadTable();
        var problems = new List<string>();
        foreach (var (setting, property, instance) in Settings())
        {
            if (!rows.TryGetValue(setting, out var documented))
            {
                problems.Add($"{setting}: no row in README.md's configuration table");
                continue;
            }

            var expected = Format(CodeDefault(property, instance));
            var stated = StatedDefault(documented);
            if (expected != stated)
            {
                problems.Add($"{setting}: README.md says {stated ?? "(a word: no value)"}, the code's default is {expected ?? "no value"}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void EveryRow_NamesARealSetting_AndStatesValidValues()
    {
        var known = Settings().Select(setting => setting.Name)
            .Concat(["OTEL_EXPORTER_OTLP_ENDPOINT", "Logging:Console:FormatterName"]).ToHashSet(StringComparer.Ordinal);
        var rows = ReadTable();
        Assert.Empty(rows.Keys.Except(known));
        Assert.All(rows, row => Assert.False(string.IsNullOrWhiteSpace(row.Value.Valid), row.Key + " states no valid values"));
    }

    [Theory]
    [InlineData("`00:05:00`", "00:05:00")]
    [InlineData("`pop`, `phr`", "pop, phr")]
    [InlineData("`false` (`true` in Development)", "false")]
    [InlineData("none (`Oidc:RefreshTokenLifetime`)", null)]
    [InlineData("required", null)]
    public void StatedDefault_ReadsTheLeadingBacktickedValues(string cell, string? expected)
        => Assert.Equal(expected, StatedDefault(new Row(cell, "x")));

    private static IEnumerable<(string Name, PropertyInfo Property, object Instance)> Settings()
    {
        foreach (var type in OptionsClasses)
        {
            var section = (string)type.GetField("SectionName")!.GetValue(null)!;
            var instance = Activator.CreateInstance(type)!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
            {
                var name = (type, property.Name) switch
                {
                    // Read from ConnectionStrings:Oidc (DatabaseOptions.Read), not from the Database section.
                    (_, nameof(DatabaseOptions.ConnectionString)) when type == typeof(DatabaseOptions) => "ConnectionStrings:Oidc",
                    _ => section + (type == typeof(ClientRegistration) ? ":N:" : ":") + property.Name,
                };
                var isList = property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(property.PropertyType);
                yield return (isList ? name + (type == typeof(ClientRegistration) ? ":M" : ":N") : name, property, instance);
            }
        }
    }

    private static object? CodeDefault(PropertyInfo property, object instance)
    {
        var effective = property.DeclaringType!.GetProperty("Effective" + property.Name)
            ?? (property.Name == nameof(DatabaseOptions.ConnectionString) ? typeof(DatabaseOptions).GetProperty(nameof(DatabaseOptions.EffectiveConnectionString)) : null);
        return (effective ?? property).GetValue(instance);
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string text => text.Length == 0 ? null : text,
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable list => list.Cast<object>().Select(Format).ToList() is { Count: > 0 } items ? string.Join(", ", items) : null,
        _ => value.ToString(),
    };

    private static string? StatedDefault(Row row)
    {
        var match = LeadingValues().Match(row.Default.Trim());
        return match.Success ? string.Join(", ", match.Groups["value"].Captures.Select(capture => capture.Value)) : null;
    }

    private static Dictionary<string, Row> ReadTable()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        var section = readme[readme.IndexOf("\n## Configuration", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 5, StringComparison.Ordinal)];
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(section))
        {
            Assert.True(rows.TryAdd(row.Groups["name"].Value, new Row(row.Groups["default"].Value, row.Groups["valid"].Value.Trim())),
                row.Groups["name"].Value + " has two rows");
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private sealed record Row(string Default, string Valid);

    [GeneratedRegex(@"^\| `(?<name>[A-Za-z_]+(?::[A-Za-z_]+)*)` \|(?<default>[^|]+)\|(?<valid>[^|]+)\|[^|]*\|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^`(?<value>[^`]*)`(?:, `(?<value>[^`]*)`)*")]
    private static partial Regex LeadingValues();
}
