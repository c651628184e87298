using Corbado.Oidc.Core.Claims;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>Reads and writes user profiles in the server's database.</summary>
public sealed class EfUserProfileStore(IDbContextFactory<OidcDbContext> contexts, TimeProvider timeProvider) : IUserProfileStore
{
    public async ValueTask<UserProfile?> FindAsync(string subject, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await FindBySubject.For(context)(context, subject, cancellationToken);
        return entity is null ? null : ToProfile(entity);
    }

    private static readonly CompiledPerProvider<Func<OidcDbContext, string, CancellationToken, Task<UserProfileEntity?>>> FindBySubject =
        new(() => EF.CompileAsyncQuery((OidcDbContext c, string subject, CancellationToken _) =>
            c.UserProfiles.AsNoTracking().FirstOrDefault(p => p.Subject == subject)));

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

    private static UserProfile ToProfile(UserProfileEntity entity) => new()
    {
        Subject = entity.Subject,
        Email = entity.Email,
        EmailVerified = entity.EmailVerified,
        Name = entity.Name,
        GivenName = entity.GivenName,
        FamilyName = entity.FamilyName,
        PreferredUsername = entity.PreferredUsername,
        Locale = entity.Locale,
        UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(entity.UpdatedAt),
    };
}
