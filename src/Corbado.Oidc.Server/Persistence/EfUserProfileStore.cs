using Corbado.Oidc.Core.Claims;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Reads and writes user profiles in the server's database. The login path's read is one prepared statement
/// (<see cref="PreparedSql"/>); imports and removals go through EF Core.
/// </summary>
public sealed class EfUserProfileStore(IDbContextFactory<OidcDbContext> contexts, PreparedSql sql, TimeProvider timeProvider) : IUserProfileStore
{
    private const string SelectBySubject = """
        SELECT "Subject", "Email", "EmailVerified", "Name", "GivenName", "FamilyName", "PreferredUsername", "Locale", "UpdatedAt"
        FROM "UserProfiles" WHERE "Subject" = @p0
        """;

    public async ValueTask<UserProfile?> FindAsync(string subject, CancellationToken cancellationToken)
        => await sql.QueryFirstAsync(SelectBySubject, [subject], static row => new UserProfile
        {
            Subject = row.GetString(0),
            Email = row.IsDBNull(1) ? null : row.GetString(1),
            EmailVerified = row.IsDBNull(2) ? null : row.GetBoolean(2),
            Name = row.IsDBNull(3) ? null : row.GetString(3),
            GivenName = row.IsDBNull(4) ? null : row.GetString(4),
            FamilyName = row.IsDBNull(5) ? null : row.GetString(5),
            PreferredUsername = row.IsDBNull(6) ? null : row.GetString(6),
            Locale = row.IsDBNull(7) ? null : row.GetString(7),
            UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64(8)),
        }, cancellationToken);

    /// <summary>Creates or replaces profiles; <c>UpdatedAt</c> is set to now. Returns how many were written.</summary>
    public async Task<int> UpsertAsync(IReadOnlyCollection<UserProfile> profiles, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var subjects = profiles.Select(p => p.Subject).ToList();
        var existing = await context.UserProfiles.Where(p => subjects.Contains(p.Subject)).ToDictionaryAsync(p => p.Subject, cancellationToken);
        foreach (var profile in profiles)
        {
            if (!existing.TryGetValue(profile.Subject, out var entity))
            {
                entity = new UserProfileEntity { Subject = profile.Subject };
                context.UserProfiles.Add(entity);
                existing[profile.Subject] = entity;
            }

            entity.Email = profile.Email;
            entity.EmailVerified = profile.EmailVerified;
            entity.Name = profile.Name;
            entity.GivenName = profile.GivenName;
            entity.FamilyName = profile.FamilyName;
            entity.PreferredUsername = profile.PreferredUsername;
            entity.Locale = profile.Locale;
            entity.UpdatedAt = now;
        }

        await context.SaveChangesAsync(cancellationToken);
        return profiles.Count;
    }

    /// <summary>Removes a profile. Returns false when there was none.</summary>
    public async Task<bool> RemoveAsync(string subject, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.UserProfiles.Where(p => p.Subject == subject).ExecuteDeleteAsync(cancellationToken) > 0;
    }
}
