using System.Buffers;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// Bounds on the authorization request parameters that OpenIddict accepts as they are, applied by both doors:
/// <c>state</c> (echoed in the redirect) and <c>nonce</c> (stored with the code and copied into the ID token) by
/// length, <c>code_challenge</c> by its RFC 7636 §4.2 shape.
/// </summary>
internal static class AuthorizationRequestRules
{
    /// <summary>Longest state accepted: what a GET request line carries (OpenIddict.Client's encrypted state is ~5 KB).</summary>
    public const int MaxStateLength = 8192;

    /// <summary>Longest nonce accepted (ASP.NET Core's is ~100 characters, OpenIddict.Client's 43).</summary>
    public const int MaxNonceLength = 1024;

    private static readonly SearchValues<char> Base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Whether a space-delimited set (RFC 6749 §3.1.1, §3.3) names each value once, separated by single spaces.</summary>
    public static bool HasDistinctValues(string values)
    {
        var parts = values.Split(' ');
        return parts.All(part => part.Length > 0) && parts.Distinct(StringComparer.Ordinal).Count() == parts.Length;
    }

    /// <summary>RFC 7636 §4.2: an S256 challenge is the 43-character base64url encoding of a SHA-256 hash.</summary>
    public static bool IsS256Challenge(string challenge) => challenge.Length == 43 && !challenge.AsSpan().ContainsAnyExcept(Base64Url);
}
