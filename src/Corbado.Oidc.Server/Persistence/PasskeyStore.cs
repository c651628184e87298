using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Storage of the built-in WebAuthn relying party: passkeys per user, ceremonies (challenges) and the server-side state
/// behind the hosted pages' handles. Every single-use read is a conditional DELETE whose row count decides (atomic
/// across replicas on the shared database); the browser only ever holds random handles, stored hashed.
/// </summary>
public sealed class PasskeyStore(IDbContextFactory<OidcDbContext> contexts, TimeProvider timeProvider)
{
    /// <summary>What consuming a single-use row found.</summary>
    public enum ConsumeStatus
    {
        /// <summary>Consumed now, by this call.</summary>
        Consumed,

        /// <summary>Unknown, or consumed before (possibly by another replica).</summary>
        Missing,

        /// <summary>Found but past its expiry (and removed).</summary>
        Expired,
    }

    /// <summary>Stores <paramref name="payload"/> under a new random handle and returns the handle.</summary>
    public async Task<string> CreateRequestAsync(string kind, string payload, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var handle = NewHandle();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        context.PasskeyRequests.Add(new PasskeyRequestEntry { Key = KeyFor(handle), Kind = kind, Payload = payload, ExpiresAt = expiresAt.ToUnixTimeSeconds() });
        await context.SaveChangesAsync(cancellationToken);
        return handle;
    }

    /// <summary>The unexpired payload behind a handle of <paramref name="kind"/>, without consuming it.</summary>
    public async Task<string?> FindRequestAsync(string kind, string? handle, CancellationToken cancellationToken)
    {
        if (!IsHandle(handle))
        {
            return null;
        }

        var key = KeyFor(handle!);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyRequests.AsNoTracking()
            .Where(e => e.Key == key && e.Kind == kind && e.ExpiresAt > now).Select(e => e.Payload).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Consumes a handle: true for exactly one caller across every replica, while it is unexpired.</summary>
    public async Task<bool> TryConsumeRequestAsync(string kind, string handle, CancellationToken cancellationToken)
    {
        if (!IsHandle(handle))
        {
            return false;
        }

        var key = KeyFor(handle);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyRequests.Where(e => e.Key == key && e.Kind == kind && e.ExpiresAt > now).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>Starts a ceremony bound to the request behind <paramref name="requestHandle"/>; returns the ceremony handle.</summary>
    public async Task<string> CreateCeremonyAsync(string kind, string requestHandle, string options, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var handle = NewHandle();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        context.PasskeyCeremonies.Add(new PasskeyCeremonyEntry
        {
            Key = KeyFor(handle), RequestKey = KeyFor(requestHandle), Kind = kind, Options = options, ExpiresAt = expiresAt.ToUnixTimeSeconds(),
        });
        await context.SaveChangesAsync(cancellationToken);
        return handle;
    }

    /// <summary>
    /// Consumes a ceremony of <paramref name="kind"/> bound to <paramref name="requestHandle"/>: its options when this call
    /// deleted it; a ceremony is usable once, whether it then succeeds or not, and never after its expiry.
    /// </summary>
    public async Task<(ConsumeStatus Status, string? Options)> ConsumeCeremonyAsync(string kind, string? ceremonyHandle, string requestHandle, CancellationToken cancellationToken)
    {
        if (!IsHandle(ceremonyHandle))
        {
            return (ConsumeStatus.Missing, null);
        }

        var key = KeyFor(ceremonyHandle!);
        var requestKey = KeyFor(requestHandle);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var entry = await context.PasskeyCeremonies.AsNoTracking()
            .FirstOrDefaultAsync(e => e.Key == key && e.Kind == kind && e.RequestKey == requestKey, cancellationToken);
        if (entry is null || await context.PasskeyCeremonies.Where(e => e.Key == key).ExecuteDeleteAsync(cancellationToken) != 1)
        {
            return (ConsumeStatus.Missing, null);
        }

        return entry.ExpiresAt <= timeProvider.GetUtcNow().ToUnixTimeSeconds() ? (ConsumeStatus.Expired, null) : (ConsumeStatus.Consumed, entry.Options);
    }

    public async Task<PasskeyCredential?> FindCredentialAsync(string id, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyCredentials.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
    }

    /// <summary>The subject's passkeys, oldest first.</summary>
    public async Task<IReadOnlyList<PasskeyCredential>> ListCredentialsAsync(string subject, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyCredentials.AsNoTracking().Where(e => e.Subject == subject).OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The passkeys of the user a plain <c>login_hint</c> names (OIDC Core §3.1.2.1): the subject itself when it has
    /// passkeys, else the one user profile whose <c>preferred_username</c> or <c>email</c> is exactly the hint. Empty when
    /// the hint names nobody, several users, or a user without passkeys.
    /// </summary>
    public async Task<IReadOnlyList<PasskeyCredential>> ListCredentialsForHintAsync(string hint, CancellationToken cancellationToken)
    {
        if (hint.Length is 0 or > 255)
        {
            return [];
        }

        var bySubject = await ListCredentialsAsync(hint, cancellationToken);
        if (bySubject.Count > 0)
        {
            return bySubject;
        }

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var subjects = await context.UserProfiles.AsNoTracking().Where(e => e.PreferredUsername == hint || e.Email == hint)
            .Select(e => e.Subject).Take(2).ToListAsync(cancellationToken);
        return subjects.Count == 1 ? await ListCredentialsAsync(subjects[0], cancellationToken) : [];
    }

    /// <summary>Whether a credential id is registered to anyone (WebAuthn §7.1 step 26).</summary>
    public async Task<bool> CredentialExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyCredentials.AnyAsync(e => e.Id == id, cancellationToken);
    }

    public async Task AddCredentialAsync(PasskeyCredential credential, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        context.PasskeyCredentials.Add(credential);
        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Records a use: the new counter and backup state, only if the counter is still the one verified against (a
    /// concurrent use of a cloned key loses). False when another use got there first.
    /// </summary>
    public async Task<bool> RecordUseAsync(string id, long verifiedAgainst, long signCount, bool isBackedUp, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyCredentials.Where(e => e.Id == id && e.SignCount == verifiedAgainst)
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.SignCount, signCount).SetProperty(e => e.IsBackedUp, isBackedUp).SetProperty(e => e.LastUsedAt, now),
                cancellationToken) == 1;
    }

    public async Task<bool> RenameCredentialAsync(string subject, string id, string name, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyCredentials.Where(e => e.Id == id && e.Subject == subject)
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.Name, name), cancellationToken) == 1;
    }

    public async Task<bool> RemoveCredentialAsync(string subject, string id, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.PasskeyCredentials.Where(e => e.Id == id && e.Subject == subject).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>Handles are 32 random bytes, base64url (43 characters).</summary>
    public static bool IsHandle(string? handle) => handle is { Length: 43 } && handle.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string NewHandle() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static string KeyFor(string handle) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(handle)));
}
