using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// Refresh tokens (RFC 6749 §6) of an authenticated client: rotated at every use, a token used twice revokes its whole
/// family (RFC 9700 §4.14.2), and revocable at /revoke (RFC 7009).
/// </summary>
internal sealed class RefreshTokenFlow(LoginGrants grants, GrantHandleStore handles, GrantRevocations revocations, LoginEvents events)
{
    /// <summary>The new tokens carry the original login's subject, <c>auth_time</c> and scope.</summary>
    public async Task<TokenOutcome> RefreshAsync(string clientId, string refreshToken, CancellationToken cancellationToken)
    {
        var issued = await handles.FindAsync(GrantHandleKind.RefreshToken, refreshToken, cancellationToken);
        if (issued is null || CodeGrant.FromPayload(issued.Payload) is not { } grant || grant.ClientId != clientId)
        {
            // Unknown, expired, or another client's (RFC 6749 §6: bound to the client it was issued to).
            return Refuse(Refusals.InvalidRefreshToken, null);
        }

        if (issued.Redeemed)
        {
            await revocations.RevokeAsync(grant.GrantId, cancellationToken);
            return Refuse(Refusals.RefreshTokenReused, grant.Subject);
        }

        if (await revocations.IsRevokedAsync(grant.GrantId, cancellationToken))
        {
            return Refuse(Refusals.InvalidRefreshToken, grant.Subject);
        }

        if (!await handles.TryRedeemAsync(GrantHandleKind.RefreshToken, refreshToken, cancellationToken))
        {
            // Used concurrently: one of the two is a thief (RFC 9700 §4.14.2).
            await revocations.RevokeAsync(grant.GrantId, cancellationToken);
            return Refuse(Refusals.RefreshTokenReused, grant.Subject);
        }

        // OIDC Core §12.2: a refreshed ID token keeps the login's auth_time and carries no nonce; no code, so no at_hash.
        return await grants.WriteTokensAsync(GrantTypes.RefreshToken, grant with { Nonce = null, RedirectUri = null, CodeChallenge = null }, cancellationToken);

        TokenOutcome Refuse(Refusal refusal, string? subject)
        {
            events.TokenRequestCompleted(GrantTypes.RefreshToken, clientId, refusal, subject);
            return new TokenOutcome(null, refusal);
        }
    }

    /// <summary>
    /// RFC 7009 §2.1: revokes a refresh token of the authenticated client, spent or not, and its whole grant. Unknown,
    /// expired or another client's tokens change nothing (§2.2: the answer is the same, so it reveals nothing).
    /// </summary>
    public async Task RevokeAsync(string clientId, string token, CancellationToken cancellationToken)
    {
        if (await handles.FindAsync(GrantHandleKind.RefreshToken, token, cancellationToken) is { } issued
            && CodeGrant.FromPayload(issued.Payload)?.ClientId == clientId)
        {
            await handles.TryRedeemAsync(GrantHandleKind.RefreshToken, token, cancellationToken);
            await revocations.RevokeAsync(issued.GrantId, cancellationToken);
        }
    }
}
