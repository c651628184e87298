using Microsoft.Extensions.Primitives;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>How the fast doors read a request: only what they fully understand, everything else is OpenIddict's.</summary>
internal static class FastRequestParameters
{
    /// <summary>
    /// The parameters, each present once with a non-empty value; null when any is repeated (RFC 6749 §3.1), empty, or
    /// not in <paramref name="understood"/>.
    /// </summary>
    public static Dictionary<string, string>? ReadSingleValues(IEnumerable<KeyValuePair<string, StringValues>> source, IReadOnlySet<string> understood)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in source)
        {
            if (!understood.Contains(name) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            {
                return null;
            }

            parameters[name] = values[0]!;
        }

        return parameters;
    }
}
