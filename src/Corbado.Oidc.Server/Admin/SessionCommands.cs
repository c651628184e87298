using System.CommandLine;
using System.Globalization;
using Corbado.Oidc.Server.Login.Sessions;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// <c>sessions list --sub SUB</c> and <c>sessions revoke --sub SUB | --sid SID</c>: a user's identity-provider sessions
/// (docs/sessions-and-logout.md), ended at once on every replica (they are rows in the shared database), every
/// <see cref="ISessionEndObserver"/> told in the same transaction. Each revocation is an audit event.
/// </summary>
internal static class SessionCommands
{
    public static Command Build(TextWriter output)
    {
        var listSubject = new Option<string>("--sub") { Description = "The OIDC subject.", Required = true };
        var list = new Command("list", "List a user's live sessions (sid, auth_time, created, idle expiry, expiry, clients).") { listSubject };
        list.SetAction(async (parse, cancellationToken) => await AdminCommandLine.WithServicesAsync(async services =>
        {
            var sessions = await services.GetRequiredService<IdpSessions>().ListAsync(parse.GetValue(listSubject)!, cancellationToken);
            foreach (var session in sessions)
            {
                await output.WriteLineAsync(Line(session));
            }

            await output.WriteLineAsync($"{sessions.Count} session(s).");
            return 0;
        }, cancellationToken));

        var revokeSubject = new Option<string?>("--sub") { Description = "End every session of this subject." };
        var revokeSid = new Option<string?>("--sid") { Description = "End the session with this sid." };
        var revoke = new Command("revoke", "End a session (--sid) or every session of a user (--sub) now.") { revokeSubject, revokeSid };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var (subject, sid) = (parse.GetValue(revokeSubject), parse.GetValue(revokeSid));
            if (string.IsNullOrEmpty(subject) == string.IsNullOrEmpty(sid))
            {
                await Console.Error.WriteLineAsync("Give exactly one of --sub and --sid.");
                return 2;
            }

            return await AdminCommandLine.WithServicesAsync(async services =>
            {
                var ended = await Revoke(services, subject, sid, AdminCommandLine.Actor, null, cancellationToken);
                await output.WriteLineAsync($"{ended.Count} session(s) ended.");
                return 0;
            }, cancellationToken);
        });

        return new Command("sessions", "Identity-provider sessions (single sign-on): list and revoke.") { list, revoke };
    }

    /// <summary>Revokes and audits (<c>admin.session_revoked</c>, per session, naming its sid); shared by the admin API.</summary>
    public static async Task<IReadOnlyList<EndedSession>> Revoke(IServiceProvider services, string? subject, string? sid, string actor, string? clientIp,
        CancellationToken cancellationToken)
    {
        var ended = await services.GetRequiredService<IdpSessions>().RevokeAsync(string.IsNullOrEmpty(sid) ? null : sid, subject, cancellationToken);
        var audit = services.GetRequiredService<AdminAudit>();
        foreach (var session in ended)
        {
            audit.Changed("admin.session_revoked", actor, "accepted", "session " + session.Sid, clientIp);
        }

        if (ended.Count == 0)
        {
            audit.Changed("admin.session_revoked", actor, "not_found", sid is not null ? "session " + sid : "sessions of a subject", clientIp);
        }

        return ended;
    }

    public static string Line(IdpSession session) => string.Join('\t', session.Sid, Time(session.AuthTime), Time(session.CreatedAt), Time(session.IdleExpiresAt),
        Time(session.ExpiresAt), string.Join(' ', session.ClientIds));

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("u", CultureInfo.InvariantCulture);
}
