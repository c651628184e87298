using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.Replay;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Revocation of what a replayed code produced, on the replay table: each login ("grant") carries a random id in its
/// code, access and refresh tokens; a replayed code or refresh token records <c>revoked|id</c>, which /userinfo and
/// the refresh grant check.
/// </summary>
public sealed class GrantRevocations(
    IReplayGuard replay,
    PreparedSql sql,
    IOptions<OidcOptions> options,
    TimeProvider timeProvider)
{
    private const string RevokedScope = "corbado:revoked-grant";
    private const string SelectRecord = """SELECT 1 FROM "ReplayEntries" WHERE "Key" = @p0""";

    /// <summary>
    /// Revokes a grant: its access tokens at /userinfo and every refresh token of its family (RFC 9700 §4.14.2), for as
    /// long as any of them could still be valid.
    /// </summary>
    public async ValueTask RevokeAsync(string grantId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var longest = settings.AccessTokenLifetime > settings.RefreshTokenLifetime ? settings.AccessTokenLifetime : settings.RefreshTokenLifetime;
        await replay.TryConsumeAsync(ReplayKey.For(RevokedScope, grantId), timeProvider.GetUtcNow() + longest + TimeSpan.FromMinutes(1), cancellationToken);
    }

    public async ValueTask<bool> IsRevokedAsync(string grantId, CancellationToken cancellationToken)
    {
        return await sql.QueryFirstAsync(SelectRecord, [ReplayKey.For(RevokedScope, grantId)], static _ => true, cancellationToken);
    }
}
