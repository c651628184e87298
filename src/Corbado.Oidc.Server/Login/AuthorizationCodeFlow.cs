using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.IdentityModel.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// The browser login (RFC 6749 §4.1): a verified passkey login becomes a code at /authorize, and the code becomes tokens
/// at /token, once. Every door of /authorize and /token calls this; each outcome is recorded by one event.
/// </summary>
internal sealed class AuthorizationCodeFlow(
    HintVerification hints,
    LoginGrants grants,
    GrantHandleStore handles,
    GrantRevocations revocations,
    LoginEvents events,
    TimeProvider timeProvider)
{
    /// <summary>
    /// Verifies the request's passkey login and, when it holds, issues a code for it. Refusals go to the client's
    /// redirect URI (OIDC Core §3.1.2.6) as <see cref="Refusals"/> says: <c>login_required</c> without a hint or past
    /// <c>max_age</c>, <c>access_denied</c> for a refused hint, <c>temporarily_unavailable</c> when it could not be checked.
    /// </summary>
    public async Task<AuthorizationOutcome> AuthorizeAsync(AuthorizationInput input, CancellationToken cancellationToken)
    {
        // No IdP session exists, so without proof in the request the user must log in (OIDC Core §3.1.2.6).
        if (string.IsNullOrEmpty(input.LoginHint))
        {
            return Refuse(input.ClientId, Refusals.MissingHint, null, null, null);
        }

        var check = await hints.VerifyAsync(input.LoginHint, cancellationToken);
        return check.Login is { } login
            ? await IssueCodeAsync(input, login, cancellationToken)
            : Refuse(input.ClientId, check.Refusal!, check.KeyId, check.JtiHash, check.Fault);
    }

    /// <summary>
    /// Issues a code for a login verified by the caller (a hint above, or a ceremony on the hosted passkey page,
    /// docs/hosted-passkeys.md): <c>max_age</c> is checked against the ceremony's time, and a fault while storing the
    /// code is <c>temporarily_unavailable</c> at the redirect URI like any other fault, never a local error page.
    /// <paramref name="amr"/> is what a hosted ceremony's authenticator proved (RFC 8176); null means <c>Oidc:Amr</c>.
    /// </summary>
    public async Task<AuthorizationOutcome> IssueCodeAsync(AuthorizationInput input, VerifiedPasskeyLogin login, CancellationToken cancellationToken,
        IReadOnlyList<string>? amr = null)
    {
        // OIDC Core §3.1.2.1: max_age bounds the time since the user actually authenticated (the ceremony, iat).
        if (input.MaxAge is { } maxAge && timeProvider.GetUtcNow() - login.AuthenticatedAt > TimeSpan.FromSeconds(maxAge))
        {
            return Refuse(input.ClientId, Refusals.MaxAgeExceeded, login.KeyId, login.JtiHash, null, login.Subject, login.Method);
        }

        string code;
        try
        {
            var grant = LoginGrants.For(login, input.ClientId, input.Scopes, input.RedirectUri, input.Nonce, input.CodeChallenge) with { Amr = amr };
            code = await grants.IssueCodeAsync(grant, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return Refuse(input.ClientId, Refusals.InternalError, login.KeyId, login.JtiHash, exception, login.Subject, login.Method);
        }

        events.LoginAttempted(input.ClientId, null, login.Subject, login.KeyId, login.JtiHash, method: login.Method);
        return new AuthorizationOutcome(code, null);
    }

    /// <summary>
    /// Redeems a code for its authenticated client (RFC 6749 §4.1.3): bound to the client, the redirect URI and the
    /// PKCE verifier (RFC 7636 §4.6), used once; a second use revokes what the first produced (RFC 6749 §4.1.2).
    /// </summary>
    public async Task<TokenOutcome> RedeemCodeAsync(CodeRedemption input, CancellationToken cancellationToken)
    {
        var issued = await handles.FindAsync(GrantHandleKind.AuthorizationCode, input.Code, cancellationToken);
        if (issued is { Redeemed: true })
        {
            return await RevokeReplayedAsync(issued.GrantId, null);
        }

        if (issued is null || CodeGrant.FromPayload(issued.Payload) is not { } grant)
        {
            return RefuseToken(Refusals.InvalidCode, null);
        }

        var refusal = grant.ClientId != input.ClientId ? Refusals.ClientMismatch
            // RFC 6749 §4.1.3: redirect_uri is required when the authorization request had one (ours always do).
            : input.RedirectUri is null ? Refusals.MissingRedirectUri
            : input.RedirectUri != grant.RedirectUri ? Refusals.RedirectUriMismatch
            : grant.CodeChallenge is null ? (input.CodeVerifier is null ? null : Refusals.CodeVerifierUnexpected)
            : input.CodeVerifier is null ? Refusals.CodeVerifierMissing
            : !VerifierMatches(input.CodeVerifier, grant.CodeChallenge) ? Refusals.PkceMismatch
            : null;
        if (refusal is not null)
        {
            return RefuseToken(refusal, grant.Subject);
        }

        if (!await handles.TryRedeemAsync(GrantHandleKind.AuthorizationCode, input.Code, cancellationToken))
        {
            // Redeemed concurrently: RFC 6749 §4.1.2, revoke what the other redemption produced.
            return await RevokeReplayedAsync(grant.GrantId, grant.Subject);
        }

        return await grants.WriteTokensAsync(GrantTypes.AuthorizationCode, grant, cancellationToken);

        async Task<TokenOutcome> RevokeReplayedAsync(string grantId, string? subject)
        {
            await revocations.RevokeAsync(grantId, cancellationToken);
            events.CodeReplayed(input.ClientId);
            return RefuseToken(Refusals.CodeReplayed, subject);
        }

        TokenOutcome RefuseToken(Refusal refusal, string? subject)
        {
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, input.ClientId, refusal, subject);
            return new TokenOutcome(null, refusal);
        }
    }

    private AuthorizationOutcome Refuse(string clientId, Refusal refusal, string? keyId, string? jtiHash, Exception? fault, string? subject = null,
        string method = LoginMethods.Hint)
    {
        events.LoginAttempted(clientId, refusal, subject, keyId, jtiHash, fault, method);
        return new AuthorizationOutcome(null, refusal);
    }

    /// <summary>RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time.</summary>
    private static bool VerifierMatches(string verifier, string challenge)
    {
        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
