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
/// <remarks>
/// The statements a hosted sign-in runs (its request, its ceremony, the credential and its counter) are prepared
/// statements on kept connections (<see cref="PreparedSql"/>), as the hint login's are: through EF Core's LINQ they
/// were 37 % of a hosted login's server CPU (expression funcletizing, the query cache, SaveChanges, a pooled connection
/// open per call; docs/benchmarks.md). Management (listing, renaming, removing passkeys) stays on EF Core.
/// </remarks>
public sealed class PasskeyStore(IDbContextFactory<OidcDbContext> contexts, PreparedSql sql, TimeProvider timeProvider)
{
    private const string InsertRequest = """
        INSERT INTO "PasskeyRequests" ("Key", "Kind", "Payload", "ExpiresAt") VALUES (@p0, @p1, @p2, @p3)
        """;

    private const string SelectRequest = """
        SELECT "Payload" FROM "PasskeyRequests" WHERE "Key" = @p0 AND "Kind" = @p1 AND "ExpiresAt" > @p2
        """;

    private const string DeleteRequest = """
        DELETE FROM "PasskeyRequests" WHERE "Key" = @p0 AND "Kind" = @p1 AND "ExpiresAt" > @p2
        """;

    private const string InsertCeremony = """
        INSERT INTO "PasskeyCeremonies" ("Key", "RequestKey", "Kind", "Options", "ExpiresAt") VALUES (@p0, @p1, @p2, @p3, @p4)
        """;

    // One statement: the row is deleted, and its options returned, only to the one caller whose DELETE removed it.
    private const string DeleteCeremony = """
        DELETE FROM "PasskeyCeremonies" WHERE "Key" = @p0 AND "Kind" = @p1 AND "RequestKey" = @p2 RETURNING "Options", "ExpiresAt"
        """;

    private const string SelectCredential = """
        SELECT "Id", "Subject", "UserHandle", "PublicKey", "SignCount", "Transports", "IsBackupEligible", "IsBackedUp", "AaGuid",
               "AttestationFormat", "Name", "CreatedAt", "LastUsedAt"
        FROM "PasskeyCredentials" WHERE "Id" = @p0
        """;

    private const string UpdateUse = """
        UPDATE "PasskeyCredentials" SET "SignCount" = @p0, "IsBackedUp" = @p1, "LastUsedAt" = @p2 WHERE "Id" = @p3 AND "SignCount" = @p4
        """;

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
        await sql.ExecuteAsync(InsertRequest, [KeyFor(handle), kind, payload, expiresAt.ToUnixTimeSeconds()], cancellationToken);
        return handle;
    }

    /// <summary>The unexpired payload behind a handle of <paramref name="kind"/>, without consuming it.</summary>
    public async Task<string?> FindRequestAsync(string kind, string? handle, CancellationToken cancellationToken)
    {
        if (!IsHandle(handle))
        {
            return null;
        }

        return await sql.QueryFirstAsync(SelectRequest, [KeyFor(handle!), kind, timeProvider.GetUtcNow().ToUnixTimeSeconds()],
            static row => row.GetString(0), cancellationToken);
    }

    /// <summary>Consumes a handle: true for exactly one caller across every replica, while it is unexpired.</summary>
    public async Task<bool> TryConsumeRequestAsync(string kind, string handle, CancellationToken cancellationToken)
    {
        if (!IsHandle(handle))
        {
            return false;
        }

        return await sql.ExecuteAsync(DeleteRequest, [KeyFor(handle), kind, timeProvider.GetUtcNow().ToUnixTimeSeconds()], cancellationToken) == 1;
    }

    /// <summary>Starts a ceremony bound to the request behind <paramref name="requestHandle"/>; returns the ceremony handle.</summary>
    public async Task<string> CreateCeremonyAsync(string kind, string requestHandle, string options, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var handle = NewHandle();
        await sql.ExecuteAsync(InsertCeremony, [KeyFor(handle), KeyFor(requestHandle), kind, options, expiresAt.ToUnixTimeSeconds()], cancellationToken);
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

        var deleted = await sql.QueryFirstAsync(DeleteCeremony, [KeyFor(ceremonyHandle!), kind, KeyFor(requestHandle)],
            static row => (Options: row.GetString(0), ExpiresAt: row.GetInt64(1)), cancellationToken);
        if (deleted.Options is null)
        {
            return (ConsumeStatus.Missing, null);
        }

        return deleted.ExpiresAt <= timeProvider.GetUtcNow().ToUnixTimeSeconds() ? (ConsumeStatus.Expired, null) : (ConsumeStatus.Consumed, deleted.Options);
    }

    public Task<PasskeyCredential?> FindCredentialAsync(string id, CancellationToken cancellationToken)
        => sql.QueryFirstAsync(SelectCredential, [id], static row => new PasskeyCredential
        {
            Id = row.GetString(0),
            Subject = row.GetString(1),
            UserHandle = row.GetFieldValue<byte[]>(2),
            PublicKey = row.GetFieldValue<byte[]>(3),
            SignCount = row.GetInt64(4),
            Transports = row.GetString(5),
            IsBackupEligible = row.GetBoolean(6),
            IsBackedUp = row.GetBoolean(7),
            AaGuid = row.GetGuid(8),
            AttestationFormat = row.GetString(9),
            Name = row.GetString(10),
            CreatedAt = row.GetInt64(11),
            LastUsedAt = row.IsDBNull(12) ? null : row.GetInt64(12),
        }, cancellationToken);

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
        return await sql.ExecuteAsync(UpdateUse, [signCount, isBackedUp, timeProvider.GetUtcNow().ToUnixTimeSeconds(), id, verifiedAgainst], cancellationToken) == 1;
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
