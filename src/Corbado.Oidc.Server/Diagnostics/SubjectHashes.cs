using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// How every audit event names a user: HMAC-SHA256 of the subject under <c>Audit:SubjectHashSalt</c>, its first 128
/// bits in hex; stable, not reversible. One instance per process, so login, session, logout and administration events
/// of one user carry the same hash. Development without a salt (the validator requires one everywhere else) hashes under
/// a random key: the hashes still reveal no subject, and stop matching across restarts.
/// </summary>
public sealed class SubjectHashes(IOptions<AuditOptions> options)
{
    private readonly byte[] _key = options.Value.SubjectHashSalt is { Length: > 0 } salt ? Encoding.UTF8.GetBytes(salt) : RandomNumberGenerator.GetBytes(32);

    /// <summary>The hash of <paramref name="subject"/>, or null for none.</summary>
    public string? Hash(string? subject)
    {
        if (string.IsNullOrEmpty(subject))
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(subject), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
