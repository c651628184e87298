using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>One decrypted key of the <see cref="KeySet"/>, with its life span in Unix seconds (see <see cref="KeyMaterial"/>).</summary>
public sealed record ServerKey(string Id, string Use, string Algorithm, long CreatedAt, long ActivatesAt, long? RetiresAt, long? ExpiresAt, SecurityKey Key)
{
    /// <summary>The key as OpenIddict and the token handler take it for signing (made once: a login must stay cheap).</summary>
    public SigningCredentials SigningCredentials => field ??= new SigningCredentials(Key, Algorithm);

    /// <summary>The key as the token handler takes it for access-token encryption (A256KW, then A256CBC-HS512).</summary>
    public EncryptingCredentials EncryptingCredentials => field ??= new EncryptingCredentials(Key, Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512);

    /// <summary>The key's state at <paramref name="now"/> (Unix seconds): <c>pending</c>, <c>active</c>, <c>retired</c> or <c>expired</c>.</summary>
    public string StateAt(long now) => State(ActivatesAt, RetiresAt, ExpiresAt, now);

    /// <summary>The state of a key with these instants at <paramref name="now"/> (all Unix seconds).</summary>
    public static string State(long activatesAt, long? retiresAt, long? expiresAt, long now)
        => expiresAt <= now ? "expired" : retiresAt <= now ? "retired" : activatesAt <= now ? "active" : "pending";
}
