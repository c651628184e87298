using System.Security.Cryptography;
using System.Text;

namespace Corbado.Oidc.Core.Replay;

/// <summary>Builds replay-store keys: a SHA-256 of the length-prefixed <c>issuer|jti</c>, so neither value is stored.</summary>
public static class ReplayKey
{
    /// <summary>Returns the lowercase hex SHA-256 of <c>len(issuer):issuer|len(jti):jti</c>.</summary>
    /// <remarks>Length prefixes keep <c>("a|b", "c")</c> and <c>("a", "b|c")</c> apart.</remarks>
    public static string For(string issuer, string jti)
    {
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{issuer.Length}:{issuer}|{jti.Length}:{jti}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash);
    }
}
