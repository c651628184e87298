using System.Security.Cryptography;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Login.BackchannelLogout;

/// <summary>
/// Back-Channel Logout 1.0 §2.7, the first half: when sessions end, one outbox row per (session, client it served that
/// registered a back-channel logout URI), added to the unit of work that ends the session, so the logout and its
/// deliveries commit together (a replica that dies right after loses none). <see cref="BackchannelLogoutSender"/> does
/// the rest; nothing here talks to a relying party, so ending a session never waits for one.
/// </summary>
public sealed class BackchannelLogoutOutbox(ClientPolicies clients, BackchannelLogoutSignal signal, TimeProvider timeProvider) : ISessionEndObserver
{
    /// <inheritdoc />
    public async Task SessionsEndingAsync(OidcDbContext context, IReadOnlyList<EndedSession> sessions, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var added = false;
        foreach (var session in sessions)
        {
            foreach (var clientId in session.ClientIds.Distinct(StringComparer.Ordinal))
            {
                if ((await clients.FindAsync(clientId, cancellationToken))?.BackchannelLogoutUri is null)
                {
                    continue;
                }

                context.BackchannelLogouts.Add(new BackchannelLogoutEntry
                {
                    Id = RandomNumberGenerator.GetHexString(32, lowercase: true),
                    ClientId = clientId,
                    Sid = session.Sid,
                    Subject = session.Subject,
                    CreatedAt = now,
                    DueAt = now,
                });
                added = true;
            }
        }

        if (added)
        {
            // After the caller's SaveChanges: wake this replica's sender. (Inside an explicit transaction the rows become
            // visible at its commit; the sender's poll finds them then.)
            context.SavedChanges += WakeOnce;
        }

        void WakeOnce(object? sender, SavedChangesEventArgs e)
        {
            context.SavedChanges -= WakeOnce;
            signal.Wake();
        }
    }
}
