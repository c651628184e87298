using System.Buffers.Text;
using System.Security.Cryptography;

namespace Corbado.Oidc.Server.Admin;

/// <summary>Generates client secrets.</summary>
public static class ClientSecrets
{
    /// <summary>
    /// 256 random bits as base64url: no character needs escaping in a form body or, after the form-encoding
    /// RFC 6749 §2.3.1 requires before HTTP Basic, in an Authorization header (a '+' there would be read as a space).
    /// </summary>
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
