using System.Text;

namespace Corbado.Oidc.Server.Protocol;

/// <summary>
/// HTTP Basic client credentials at /token (RFC 6749 §2.3.1: client id and secret form-encoded, then Base64), read by
/// the rate limiter's partitioning and by the fast path.
/// </summary>
internal static class BasicClientCredentials
{
    /// <summary>
    /// The client id and secret of a <c>Basic</c> Authorization header; null when it is not one or is malformed. An
    /// empty secret is no secret (null), as OpenIddict reads it.
    /// </summary>
    public static (string ClientId, string? Secret)? Read(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var separator = decoded.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0)
        {
            return null;
        }

        var secret = FormDecode(decoded[(separator + 1)..]);
        return (FormDecode(decoded[..separator]), secret.Length == 0 ? null : secret);
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
