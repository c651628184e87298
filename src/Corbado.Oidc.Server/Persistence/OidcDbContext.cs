using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The server's database: OpenIddict's applications, authorizations, scopes and tokens, plus our own tables.
/// One derived type per provider carries that provider's migrations (<see cref="SqliteOidcDbContext"/>,
/// <see cref="PostgreSqlOidcDbContext"/>); everything else uses this base type.
/// </summary>
public abstract class OidcDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>Consumed signedPasskeyData ids (hashed), one row per accepted hint.</summary>
    public DbSet<ReplayEntry> ReplayEntries => Set<ReplayEntry>();

    /// <summary>User profiles filled by operators, keyed by OIDC subject.</summary>
    public DbSet<UserProfileEntity> UserProfiles => Set<UserProfileEntity>();

    /// <summary>Issued authorization codes: the short handle's hash, the sealed code it stands for, redemption.</summary>
    public DbSet<AuthorizationCodeEntry> AuthorizationCodes => Set<AuthorizationCodeEntry>();

    /// <summary>The server's own signing and encryption keys.</summary>
    public DbSet<KeyMaterial> Keys => Set<KeyMaterial>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseOpenIddict();

        modelBuilder.Entity<ReplayEntry>(entity =>
        {
            entity.ToTable("ReplayEntries");
            entity.HasKey(e => e.Key);
            entity.Property(e => e.Key).HasMaxLength(64).IsUnicode(false);
            entity.HasIndex(e => e.ExpiresAt);
        });

        modelBuilder.Entity<AuthorizationCodeEntry>(entity =>
        {
            entity.ToTable("AuthorizationCodes");
            entity.HasKey(e => e.Key);
            entity.Property(e => e.Key).HasMaxLength(64).IsUnicode(false);
            entity.Property(e => e.Payload).IsUnicode(false);
            entity.Property(e => e.GrantId).HasMaxLength(64).IsUnicode(false);
            entity.HasIndex(e => e.ExpiresAt);
        });

        modelBuilder.Entity<UserProfileEntity>(entity =>
        {
            entity.ToTable("UserProfiles");
            entity.HasKey(e => e.Subject);
            entity.Property(e => e.Subject).HasMaxLength(255);
            entity.Property(e => e.Email).HasMaxLength(320);
            entity.Property(e => e.Name).HasMaxLength(255);
            entity.Property(e => e.GivenName).HasMaxLength(255);
            entity.Property(e => e.FamilyName).HasMaxLength(255);
            entity.Property(e => e.PreferredUsername).HasMaxLength(255);
            entity.Property(e => e.Locale).HasMaxLength(35);
        });

        modelBuilder.Entity<KeyMaterial>(entity =>
        {
            entity.ToTable("KeyMaterial");
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Id).HasMaxLength(100);
            entity.Property(e => e.Use).HasMaxLength(10);
            entity.Property(e => e.Algorithm).HasMaxLength(20);
            entity.Property(e => e.ProtectedBy).HasMaxLength(16).IsUnicode(false);
        });
    }
}

/// <summary>The SQLite model and migrations (Persistence/Migrations/Sqlite).</summary>
public sealed class SqliteOidcDbContext(DbContextOptions<SqliteOidcDbContext> options) : OidcDbContext(options);

/// <summary>The PostgreSQL model and migrations (Persistence/Migrations/PostgreSql).</summary>
public sealed class PostgreSqlOidcDbContext(DbContextOptions<PostgreSqlOidcDbContext> options) : OidcDbContext(options);

/// <summary>A consumed single-use key: the SHA-256 of issuer and jti, kept until the hint could no longer be accepted.</summary>
public sealed class ReplayEntry
{
    public required string Key { get; set; }

    /// <summary>Unix seconds after which the row may be pruned.</summary>
    public long ExpiresAt { get; set; }
}

/// <summary>
/// An issued authorization code. The client holds a 256-bit random handle; the row holds its SHA-256 (a database
/// reader learns no live code) and the encrypted, HMAC-protected code OpenIddict sealed, which only this server can open.
/// </summary>
public sealed class AuthorizationCodeEntry
{
    public required string Key { get; set; }

    /// <summary>The sealed code; emptied at redemption (only the replay check needs the row after that).</summary>
    public required string Payload { get; set; }

    /// <summary>The login's grant id, so a replay of the redeemed code can revoke what it produced.</summary>
    public required string GrantId { get; set; }

    /// <summary>Unix seconds after which the code is refused and the row may be pruned.</summary>
    public long ExpiresAt { get; set; }

    /// <summary>Unix seconds of the one successful redemption; null while unused.</summary>
    public long? RedeemedAt { get; set; }
}

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

/// <summary>The stored form of <see cref="Core.Claims.UserProfile"/>.</summary>
public sealed class UserProfileEntity
{
    public required string Subject { get; set; }
    public string? Email { get; set; }
    public bool? EmailVerified { get; set; }
    public string? Name { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public string? PreferredUsername { get; set; }
    public string? Locale { get; set; }

    /// <summary>Unix seconds.</summary>
    public long UpdatedAt { get; set; }
}
