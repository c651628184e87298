using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Login.Sessions;

/// <summary>A live identity-provider session, as read from the database.</summary>
internal sealed record IdpSession(
    string Sid,
    string Subject,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> Amr,
    IReadOnlyList<string> ClientIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset IdleExpiresAt,
    DateTimeOffset ExpiresAt)
{
    public static IdpSession From(IdpSessionEntry entry) => new(entry.Sid, entry.Subject, DateTimeOffset.FromUnixTimeSeconds(entry.AuthTime),
        Split(entry.Amr), Split(entry.ClientIds), DateTimeOffset.FromUnixTimeSeconds(entry.CreatedAt),
        DateTimeOffset.FromUnixTimeSeconds(entry.IdleExpiresAt), DateTimeOffset.FromUnixTimeSeconds(entry.ExpiresAt));

    private static string[] Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// The identity provider's sessions (docs/sessions-and-logout.md): one row per session in the shared database, looked
/// up per request by a hash of the browser's handle, so every replica sees a session the moment it starts and none
/// after it ends. Ending a session tells every <see cref="ISessionEndObserver"/> in the same transaction. Session starts
/// and ends are audit events of the server (<see cref="LoginEvents"/>); the command line audits its revocations itself.
/// </summary>
/// <remarks>
/// What a sign-in runs per request (the lookup, a new session, the idle expiry, a refresh) is prepared SQL on kept
/// connections (<see cref="PreparedSql"/>), as the hint login's statements are; appending a client and ending sessions
/// (with their observers, in one transaction) stay on EF Core.
/// </remarks>
internal sealed class IdpSessions(
    IDbContextFactory<OidcDbContext> contexts,
    PreparedSql sql,
    IServiceScopeFactory scopes,
    IOptions<SessionsOptions> options,
    TimeProvider timeProvider,
    LoginEvents? events = null)
{
    private const string SelectLive = """
        SELECT "Sid", "Subject", "AuthTime", "Amr", "ClientIds", "CreatedAt", "IdleExpiresAt", "ExpiresAt"
        FROM "IdpSessions" WHERE "Key" = @p0 AND "ExpiresAt" > @p1 AND "IdleExpiresAt" > @p2
        """;

    private const string Insert = """
        INSERT INTO "IdpSessions" ("Key", "Sid", "Subject", "AuthTime", "Amr", "ClientIds", "CreatedAt", "IdleExpiresAt", "ExpiresAt")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)
        """;

    private const string Refresh = """
        UPDATE "IdpSessions" SET "AuthTime" = @p0, "Amr" = @p1, "IdleExpiresAt" = @p2 WHERE "Key" = @p3
        """;

    private const string Touch = """
        UPDATE "IdpSessions" SET "IdleExpiresAt" = @p0 WHERE "Key" = @p1
        """;

    /// <summary>The live session behind a cookie's handle, or null (no handle, unknown, ended, idle or past its lifetime).</summary>
    public async Task<IdpSession?> FindAsync(string? handle, CancellationToken cancellationToken)
    {
        if (!IsHandle(handle))
        {
            return null;
        }

        var key = KeyFor(handle!);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var entry = await sql.QueryFirstAsync(SelectLive, [key, now, now], row => new IdpSessionEntry
        {
            Key = key,
            Sid = row.GetString(0),
            Subject = row.GetString(1),
            AuthTime = row.GetInt64(2),
            Amr = row.GetString(3),
            ClientIds = row.GetString(4),
            CreatedAt = row.GetInt64(5),
            IdleExpiresAt = row.GetInt64(6),
            ExpiresAt = row.GetInt64(7),
        }, cancellationToken);
        return entry is null ? null : IdpSession.From(entry);
    }

    /// <summary>
    /// After a ceremony on the hosted page: the same user's live session behind <paramref name="handle"/> is refreshed
    /// (new <c>auth_time</c> and methods, same <c>sid</c>); otherwise a new session starts (one of another user behind the
    /// handle ends first). Returns the handle for the cookie (a new one for a new session) and the session.
    /// </summary>
    public async Task<(string Handle, IdpSession Session)> SignedInAsync(string? handle, string subject, DateTimeOffset authTime, IReadOnlyList<string> amr,
        string clientId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (await FindAsync(handle, cancellationToken) is { } current)
        {
            if (current.Subject == subject)
            {
                var key = KeyFor(handle!);
                var idle = IdleExpiry(now, current.ExpiresAt);
                await sql.ExecuteAsync(Refresh, [authTime.ToUnixTimeSeconds(), string.Join(' ', amr), idle.ToUnixTimeSeconds(), key], cancellationToken);
                await AppendClientAsync(key, current, clientId, cancellationToken);
                var clients = current.ClientIds.Contains(clientId, StringComparer.Ordinal) ? current.ClientIds : [.. current.ClientIds, clientId];
                return (handle!, current with { AuthTime = authTime, Amr = amr, ClientIds = clients, IdleExpiresAt = idle });
            }

            await EndAsync(e => e.Sid == current.Sid, SessionEndReason.Logout, cancellationToken);
        }

        var newHandle = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var expires = now + options.Value.AbsoluteLifetime;
        var entry = new IdpSessionEntry
        {
            Key = KeyFor(newHandle),
            Sid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            Subject = subject,
            AuthTime = authTime.ToUnixTimeSeconds(),
            Amr = string.Join(' ', amr),
            ClientIds = clientId,
            CreatedAt = now.ToUnixTimeSeconds(),
            IdleExpiresAt = IdleExpiry(now, expires).ToUnixTimeSeconds(),
            ExpiresAt = expires.ToUnixTimeSeconds(),
        };
        await sql.ExecuteAsync(Insert, [entry.Key, entry.Sid, entry.Subject, entry.AuthTime, entry.Amr, entry.ClientIds, entry.CreatedAt, entry.IdleExpiresAt,
            entry.ExpiresAt], cancellationToken);

        events?.SessionChanged("session.started", clientId, subject, entry.Sid);
        return (newHandle, IdpSession.From(entry));
    }

    /// <summary>A code was issued within the session: the client is recorded, and the idle expiry moves on.</summary>
    public async Task UsedAsync(string handle, IdpSession session, string clientId, CancellationToken cancellationToken)
    {
        var key = KeyFor(handle);
        var idle = IdleExpiry(timeProvider.GetUtcNow(), session.ExpiresAt).ToUnixTimeSeconds();
        await sql.ExecuteAsync(Touch, [idle, key], cancellationToken);
        await AppendClientAsync(key, session, clientId, cancellationToken);
    }

    /// <summary>
    /// Records a served client by appending it in the database (a conditional UPDATE), never by writing back the list
    /// that was read: a code issued for one client and a ceremony or code for another at the same moment both stay in
    /// the list (each client served must get its back-channel logout). SessionConcurrencyTests race them.
    /// </summary>
    private async Task AppendClientAsync(string key, IdpSession read, string clientId, CancellationToken cancellationToken)
    {
        if (!read.ClientIds.Contains(clientId, StringComparer.Ordinal))
        {
            var padded = " " + clientId + " ";
            await using var context = await contexts.CreateDbContextAsync(cancellationToken);
            await context.IdpSessions.Where(e => e.Key == key && !(" " + e.ClientIds + " ").Contains(padded))
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.ClientIds, e => e.ClientIds + " " + clientId), cancellationToken);
        }
    }

    /// <summary>The live sessions of a user, oldest first.</summary>
    public async Task<IReadOnlyList<IdpSession>> ListAsync(string subject, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var entries = await context.IdpSessions.AsNoTracking().Where(e => e.Subject == subject && e.ExpiresAt > now && e.IdleExpiresAt > now)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Sid).ToListAsync(cancellationToken);
        return [.. entries.Select(IdpSession.From)];
    }

    /// <summary>Ends the session behind a cookie's handle (logout); null when there was none.</summary>
    public async Task<EndedSession?> EndByHandleAsync(string? handle, CancellationToken cancellationToken)
    {
        if (!IsHandle(handle))
        {
            return null;
        }

        var key = KeyFor(handle!);
        var ended = await EndAsync(e => e.Key == key, SessionEndReason.Logout, cancellationToken);
        return ended.Count == 0 ? null : ended[0];
    }

    /// <summary>Ends a session by its <c>sid</c>, or every session of a user: an operator's revocation, or a logout with an <c>id_token_hint</c>.</summary>
    public Task<IReadOnlyList<EndedSession>> RevokeAsync(string? sid, string? subject, CancellationToken cancellationToken,
        SessionEndReason reason = SessionEndReason.Revoked)
        => sid is not null
            ? EndAsync(e => e.Sid == sid, reason, cancellationToken)
            : EndAsync(e => e.Subject == subject, reason, cancellationToken);

    /// <summary>
    /// Deletes the matching sessions and tells the observers about them, in one transaction (the observers' rows commit
    /// with the deletion or not at all). Expired rows are deleted too, but nobody is told about them.
    /// </summary>
    private async Task<IReadOnlyList<EndedSession>> EndAsync(System.Linq.Expressions.Expression<Func<IdpSessionEntry, bool>> match, SessionEndReason reason,
        CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await using var scope = scopes.CreateAsyncScope();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var entries = await context.IdpSessions.Where(match).ToListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return [];
        }

        var ended = entries.Where(e => e.ExpiresAt > now && e.IdleExpiresAt > now)
            .Select(e => new EndedSession(e.Sid, e.Subject, IdpSession.From(e).ClientIds, reason)).ToList();
        if (ended.Count > 0)
        {
            foreach (var observer in scope.ServiceProvider.GetServices<ISessionEndObserver>())
            {
                await observer.SessionsEndingAsync(context, ended, cancellationToken);
            }
        }

        context.IdpSessions.RemoveRange(entries);
        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Ended at the same moment by another request or replica, which told the observers: nothing left to do here.
            return [];
        }

        foreach (var session in ended)
        {
            events?.SessionChanged(reason == SessionEndReason.Revoked ? "session.revoked" : "session.ended", null, session.Subject, session.Sid);
        }

        return ended;
    }

    private DateTimeOffset IdleExpiry(DateTimeOffset now, DateTimeOffset expires)
    {
        var idle = now + options.Value.IdleTimeout;
        return idle < expires ? idle : expires;
    }

    /// <summary>Handles are 32 random bytes, base64url (43 characters).</summary>
    public static bool IsHandle(string? handle) => PasskeyStore.IsHandle(handle);

    private static string KeyFor(string handle) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(handle)));
}
