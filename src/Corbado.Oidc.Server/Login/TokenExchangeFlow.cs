using Corbado.Oidc.Server.Diagnostics;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// Exchanges a signedPasskeyData directly for tokens (OAuth 2.0 Token Exchange, RFC 8693) for a native app or a
/// backend-for-frontend whose client the door has authenticated: the same verification and single-use record as
/// /authorize, the same claims, <c>amr</c> and <c>auth_time</c> as the browser flow. A refused hint is
/// <c>invalid_grant</c>, one that could not be checked <c>temporarily_unavailable</c> (the catalogue's token answers).
/// </summary>
internal sealed class TokenExchangeFlow(HintVerification hints, LoginGrants grants, LoginEvents events)
{
    /// <summary>
    /// The access token's <c>aud</c> names the <paramref name="audiences"/> the door has checked against the client's
    /// permissions (RFC 8693 §2.1, RFC 8707).
    /// </summary>
    public async Task<TokenOutcome> ExchangeAsync(string clientId, string hint, IReadOnlyList<string> scopes, IReadOnlyList<string> audiences,
        CancellationToken cancellationToken)
    {
        var check = await hints.VerifyAsync(hint, cancellationToken);
        if (check.Login is not { } login)
        {
            events.LoginAttempted(clientId, check.Refusal, null, check.KeyId, check.JtiHash, check.Fault);
            return new TokenOutcome(null, check.Refusal);
        }

        events.LoginAttempted(clientId, null, login.Subject, login.KeyId, login.JtiHash);
        var grant = LoginGrants.For(login, clientId, scopes, redirectUri: null, nonce: null, codeChallenge: null) with
        {
            Audiences = audiences.Count > 0 ? audiences : null,
        };
        return await grants.WriteTokensAsync(GrantTypes.TokenExchange, grant, cancellationToken);
    }
}
