using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>One decrypted key of the <see cref="KeySet"/>, with its life span in Unix seconds (see <see cref="KeyMaterial"/>).</summary>
public sealed record ServerKey(string Id, string Use, string Algorithm, long CreatedAt, long ActivatesAt, long? RetiresAt, long? ExpiresAt, SecurityKey Key)
{
    /// <summary>The key as OpenIddict and the token handler take it for signing (made once: a login must stay cheap).</summary>
    public SigningCredentials SigningCredentials => field ??= new SigningCredentials(Key, Algorithm);

    /// <summary>The key as the token handler takes it for access-token encryption (A256KW, then A256CBC-HS512).</summary>
    public EncryptingCredentials EncryptingCredentials => field ??= new EncryptingCredentials(Key, Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512);

    /// <summary>
    /// The same <c>enc</c> key for direct encryption (<c>dir</c>, RFC 7518 §4.5): the 512-bit A256CBC-HS512 content key
    /// is derived from it with HKDF-SHA256 (RFC 5869) under a fixed label, so every replica derives the same key and
    /// rotation needs nothing new. It spares the per-token content key and its AES key wrap, which IdentityModel runs
    /// block by block (≈ 80 µs of CPU per token, docs/benchmarks.md); the content encryption and its random IV per
    /// token are the same. Its <c>kid</c> is the stored key's with <see cref="DirectKeyIdSuffix"/>.
    /// </summary>
    public EncryptingCredentials DirectEncryptingCredentials => field ??= new EncryptingCredentials(
        new SymmetricSecurityKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, ((SymmetricSecurityKey)Key).Key, DirectKeyBytes, info: DirectKeyLabel)) { KeyId = Id + DirectKeyIdSuffix },
        JwtConstants.DirectKeyUseAlg, SecurityAlgorithms.Aes256CbcHmacSha512);

    /// <summary>Appended to an <c>enc</c> key's id to name the direct-encryption key derived from it.</summary>
    public const string DirectKeyIdSuffix = "-dir";

    // A256CBC-HS512 takes a 512-bit key: 256 bits for HMAC-SHA-512, 256 for AES-CBC (RFC 7518 §5.2.5).
    private const int DirectKeyBytes = 64;
    private static readonly byte[] DirectKeyLabel = Encoding.ASCII.GetBytes("Corbado.Oidc access token dir A256CBC-HS512");

    /// <summary>The key's state at <paramref name="now"/> (Unix seconds): <c>pending</c>, <c>active</c>, <c>retired</c> or <c>expired</c>.</summary>
    public string StateAt(long now) => State(ActivatesAt, RetiresAt, ExpiresAt, now);

    /// <summary>The state of a key with these instants at <paramref name="now"/> (all Unix seconds).</summary>
    public static string State(long activatesAt, long? retiresAt, long? expiresAt, long now)
        => expiresAt <= now ? "expired" : retiresAt <= now ? "retired" : activatesAt <= now ? "active" : "pending";
}
