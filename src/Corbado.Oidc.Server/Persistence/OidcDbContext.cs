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

    /// <summary>Passkeys registered through the hosted enrolment page.</summary>
    public DbSet<PasskeyCredential> PasskeyCredentials => Set<PasskeyCredential>();

    /// <summary>WebAuthn ceremonies in progress (their challenges), single use.</summary>
    public DbSet<PasskeyCeremonyEntry> PasskeyCeremonies => Set<PasskeyCeremonyEntry>();

    /// <summary>Authorization requests waiting on the hosted sign-in page, and enrolment links.</summary>
    public DbSet<PasskeyRequestEntry> PasskeyRequests => Set<PasskeyRequestEntry>();

    /// <summary>The back-channel logout outbox: logout tokens still to deliver.</summary>
    public DbSet<BackchannelLogoutEntry> BackchannelLogouts => Set<BackchannelLogoutEntry>();

    /// <summary>Identity-provider sessions (single sign-on), keyed by a hash of the browser's handle.</summary>
    public DbSet<IdpSessionEntry> IdpSessions => Set<IdpSessionEntry>();

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

        modelBuilder.Entity<PasskeyCredential>(entity =>
        {
            entity.ToTable("PasskeyCredentials");
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Id).HasMaxLength(1400).IsUnicode(false);
            entity.Property(e => e.Subject).HasMaxLength(255);
            entity.Property(e => e.Transports).HasMaxLength(200).IsUnicode(false);
            entity.Property(e => e.AttestationFormat).HasMaxLength(32).IsUnicode(false);
            entity.Property(e => e.Name).HasMaxLength(100);
            entity.HasIndex(e => e.Subject);
        });

        modelBuilder.Entity<PasskeyCeremonyEntry>(entity =>
        {
            entity.ToTable("PasskeyCeremonies");
            entity.HasKey(e => e.Key);
            entity.Property(e => e.Key).HasMaxLength(64).IsUnicode(false);
            entity.Property(e => e.RequestKey).HasMaxLength(64).IsUnicode(false);
            entity.Property(e => e.Kind).HasMaxLength(16).IsUnicode(false);
            entity.HasIndex(e => e.ExpiresAt);
        });

        modelBuilder.Entity<PasskeyRequestEntry>(entity =>
        {
            entity.ToTable("PasskeyRequests");
            entity.HasKey(e => e.Key);
            entity.Property(e => e.Key).HasMaxLength(64).IsUnicode(false);
            entity.Property(e => e.Kind).HasMaxLength(16).IsUnicode(false);
            entity.HasIndex(e => e.ExpiresAt);
        });

        modelBuilder.Entity<BackchannelLogoutEntry>(entity =>
        {
            entity.ToTable("BackchannelLogouts");
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Id).HasMaxLength(32).IsUnicode(false);
            entity.Property(e => e.ClientId).HasMaxLength(100);
            entity.Property(e => e.Sid).HasMaxLength(255);
            entity.Property(e => e.Subject).HasMaxLength(255);
            entity.Property(e => e.LastFailure).HasMaxLength(32).IsUnicode(false);
            entity.HasIndex(e => e.DueAt);
        });

        modelBuilder.Entity<IdpSessionEntry>(entity =>
        {
            entity.ToTable("IdpSessions");
            entity.HasKey(e => e.Key);
            entity.Property(e => e.Key).HasMaxLength(64).IsUnicode(false);
            entity.Property(e => e.Sid).HasMaxLength(43).IsUnicode(false);
            entity.Property(e => e.Subject).HasMaxLength(255);
            entity.Property(e => e.Amr).HasMaxLength(100).IsUnicode(false);
            entity.Property(e => e.ClientIds).IsUnicode(false);
            entity.HasIndex(e => e.Sid).IsUnique();
            entity.HasIndex(e => e.Subject);
            entity.HasIndex(e => e.ExpiresAt);
        });
    }
}
