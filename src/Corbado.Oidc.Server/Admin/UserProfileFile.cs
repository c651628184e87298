using System.Text;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Reads user profiles from CSV (RFC 4180, header row) or JSON (an array of objects). Column and property names
/// are the OIDC claim names: <c>sub</c> (required), <c>email</c>, <c>email_verified</c>, <c>name</c>,
/// <c>given_name</c>, <c>family_name</c>, <c>preferred_username</c>, <c>locale</c>.
/// </summary>
public static class UserProfileFile
{
    /// <summary>Parses <paramref name="path"/> by its extension (.csv or .json). Throws <see cref="FormatException"/> naming the line or item.</summary>
    public static IReadOnlyList<UserProfile> Read(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ReadCsv(File.ReadAllText(path)),
            ".json" => ReadJson(File.ReadAllText(path)),
            _ => throw new FormatException($"'{path}': use a .csv or .json file."),
        };

    public static IReadOnlyList<UserProfile> ReadJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The JSON file must hold an array of profile objects.");
        }

        var profiles = new List<UserProfile>();
        var index = 0;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            profiles.Add(ToProfile(Fields(item, $"item {index}"), $"item {index}"));
            index++;
        }

        return profiles;
    }

    /// <summary>The claim-named fields of one JSON object (strings, booleans or null).</summary>
    public static Dictionary<string, string?> Fields(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where}: must be a JSON object of claim-named fields.");
        }

        return item.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw new FormatException($"{where}: '{p.Name}' must be a string or a boolean."),
            },
            StringComparer.Ordinal);
    }

    public static IReadOnlyList<UserProfile> ReadCsv(string csv)
    {
        var rows = ParseCsv(csv);
        if (rows.Count == 0)
        {
            return [];
        }

        var header = rows[0].Select(h => h.Trim()).ToArray();
        var profiles = new List<UserProfile>();
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Count == 1 && string.IsNullOrWhiteSpace(rows[i][0]))
            {
                continue;
            }

            if (rows[i].Count != header.Length)
            {
                throw new FormatException($"Line {i + 1}: {rows[i].Count} fields, the header has {header.Length}.");
            }

            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var column = 0; column < header.Length; column++)
            {
                fields[header[column]] = rows[i][column].Length == 0 ? null : rows[i][column];
            }

            profiles.Add(ToProfile(fields, $"line {i + 1}"));
        }

        return profiles;
    }

    /// <summary>Builds a profile from claim-named fields; unknown names are refused so typos do not pass silently.</summary>
    public static UserProfile ToProfile(IReadOnlyDictionary<string, string?> fields, string where)
    {
        foreach (var name in fields.Keys)
        {
            if (name != "sub" && !ProfileClaims.Types.Contains(name))
            {
                throw new FormatException($"{where}: unknown field '{name}'.");
            }
        }

        if (!fields.TryGetValue("sub", out var subject) || string.IsNullOrWhiteSpace(subject))
        {
            throw new FormatException($"{where}: 'sub' is required.");
        }

        bool? emailVerified = fields.GetValueOrDefault("email_verified") switch
        {
            null => null,
            var v when bool.TryParse(v, out var b) => b,
            var v => throw new FormatException($"{where}: email_verified '{v}' is not true or false."),
        };

        return new UserProfile
        {
            Subject = subject,
            Email = fields.GetValueOrDefault("email"),
            EmailVerified = emailVerified,
            Name = fields.GetValueOrDefault("name"),
            GivenName = fields.GetValueOrDefault("given_name"),
            FamilyName = fields.GetValueOrDefault("family_name"),
            PreferredUsername = fields.GetValueOrDefault("preferred_username"),
            Locale = fields.GetValueOrDefault("locale"),
        };
    }

    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
