using System.Text.Json;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>
/// Strictly typed reads of a JWT's header or payload members (RFC 7519 §2, §4.1). A member of the wrong JSON type is
/// reported as such, never converted: a NumericDate given as the string <c>"1796075861"</c> or an identifier given as
/// <c>true</c> or <c>["a"]</c> is malformed, even when the token's signature is valid. JSON <c>null</c> is a wrong
/// type too: no claim this server reads is nullable.
/// </summary>
public readonly struct JsonClaims(JsonElement root)
{
    /// <summary>Latest NumericDate accepted: the end of year 9999, the last instant <see cref="DateTimeOffset"/> holds.</summary>
    private const double MaxNumericDate = 253_402_300_799d;

    /// <summary>Whether the member is present at all.</summary>
    public bool Contains(string name) => root.TryGetProperty(name, out _);

    /// <summary>
    /// False when the member is present but not a JSON string; otherwise true, with <paramref name="value"/> null when
    /// the member is absent.
    /// </summary>
    public bool TryGetString(string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString();
        return true;
    }

    /// <summary>False when the member is present but not <c>true</c> or <c>false</c>.</summary>
    public bool TryGetBoolean(string name, out bool? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return false;
        }

        value = element.GetBoolean();
        return true;
    }

    /// <summary>
    /// A NumericDate (RFC 7519 §2): a JSON number of seconds since the epoch, from 0 to the end of year 9999. False
    /// when the member is present but not such a number.
    /// </summary>
    public bool TryGetNumericDate(string name, out DateTimeOffset? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var seconds) || !(seconds >= 0 && seconds <= MaxNumericDate))
        {
            return false;
        }

        value = DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds));
        return true;
    }
}
