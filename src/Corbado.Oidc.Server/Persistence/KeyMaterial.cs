using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// One of the server's keys, its secret part encrypted under the key-encryption key (<see cref="KeyEncryptionKey"/>).
/// Its life (docs/operations.md): pending from <see cref="CreatedAt"/> (published, not used to sign), active from
/// <see cref="ActivatesAt"/> (the newest active key of its use signs), retired from <see cref="RetiresAt"/> (still
/// published and accepted), gone from <see cref="ExpiresAt"/> (every token it signed has expired).
/// </summary>
public sealed class KeyMaterial
{
    /// <summary>The key id published as <c>kid</c> (for signing keys, the RFC 7638 thumbprint).</summary>
    public required string Id { get; set; }

    /// <summary><c>sig</c> or <c>enc</c>.</summary>
    public required string Use { get; set; }

    /// <summary>For example <c>RS256</c> or <c>A256KW</c>.</summary>
    public required string Algorithm { get; set; }

    /// <summary>PKCS#8 private key (RSA) or raw symmetric key bytes, encrypted (<see cref="KeyEncryptionKey.Protect"/>).</summary>
    public required byte[] Material { get; set; }

    /// <summary>The id of the key-encryption key <see cref="Material"/> is encrypted under; null in rows written in the clear by earlier versions.</summary>
    public string? ProtectedBy { get; set; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; set; }

    /// <summary>Unix seconds from which the key may sign (or encrypt).</summary>
    public long ActivatesAt { get; set; }

    /// <summary>Unix seconds from which the key no longer signs; null while it is current.</summary>
    public long? RetiresAt { get; set; }

    /// <summary>Unix seconds from which the key is neither published nor accepted; null while it is current.</summary>
    public long? ExpiresAt { get; set; }
}
