using Corbado.Oidc.Server.Persistence;

namespace Corbado.Oidc.Server.Login.Sessions;

/// <summary>Why an identity-provider session ended.</summary>
public enum SessionEndReason
{
    /// <summary>The user signed out (RP-Initiated Logout at the end-session endpoint).</summary>
    Logout,

    /// <summary>An operator revoked it (<c>sessions revoke</c> or the admin API).</summary>
    Revoked,
}

/// <summary>A session that is ending: whose it was and which relying parties it served.</summary>
/// <param name="Sid">The session's <c>sid</c>, as it appeared in the ID tokens issued within it.</param>
/// <param name="Subject">The user's <c>sub</c>.</param>
/// <param name="ClientIds">Every client that received a code within the session.</param>
/// <param name="Reason">Why it ended.</param>
public sealed record EndedSession(string Sid, string Subject, IReadOnlyList<string> ClientIds, SessionEndReason Reason);

/// <summary>
/// Told about sessions while they end, inside the unit of work that ends them: what an observer adds to
/// the <c>context</c> it is given is saved in the same transaction as the session's end, so nothing is lost when a replica
/// dies right after (the back-channel logout outbox is one).
/// </summary>
public interface ISessionEndObserver
{
    /// <summary>Adds the observer's records for <paramref name="sessions"/> to <paramref name="context"/>; does not save.</summary>
    Task SessionsEndingAsync(OidcDbContext context, IReadOnlyList<EndedSession> sessions, CancellationToken cancellationToken);
}
