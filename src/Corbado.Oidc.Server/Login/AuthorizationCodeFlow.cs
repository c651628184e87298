using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Login.Sessions;
using Microsoft.Extensions.Options;
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
    ClientPolicies clients,
    IdpSessions sessions,
    IdTokenHints idTokenHints,
    IOptions<SessionsOptions> sessionOptions,
    IOptions<OidcOptions> oidc,
    LoginGrants grants,
    GrantHandleStore handles,
    GrantRevocations revocations,
    LoginEvents events,
    TimeProvider timeProvider)
{
    /// <summary>The key id in logs and audit events of a code answered from a session (no ceremony, no hint).</summary>
    public const string SessionMethod = LoginMethods.Session;

    /// <summary>
    /// Answers an authorization request (OIDC Core §3.1.2): a signedPasskeyData in <c>login_hint</c> always wins and is
    /// verified; without one, a single-sign-on client's request is answered from the browser's live session
    /// (docs/sessions-and-logout.md) unless <c>prompt=login</c>, a <c>max_age</c> shorter than the session's age or an
    /// <c>id_token_hint</c> for another user asks for a fresh sign-in; that, or no session, is a sign-in on the hosted
    /// passkey page for a client that uses it (<see cref="AuthorizationOutcome.SignInInteractively"/>), and
    /// <c>login_required</c> otherwise and whenever <c>prompt=none</c>. Refusals go to the client's redirect URI
    /// (OIDC Core §3.1.2.6) as <see cref="Refusals"/> says.
    /// </summary>
    public async Task<AuthorizationOutcome> AuthorizeAsync(AuthorizationInput input, CancellationToken cancellationToken)
    {
        var promptNone = input.HasPrompt(PromptValues.None);
        if (SignedPasskeyDataVerifier.IsCompactJws(input.LoginHint))
        {
            return await VerifyHintAsync(input, cancellationToken);
        }

        var client = await clients.FindAsync(input.ClientId, cancellationToken);
        var hosted = client is { HostedPasskeyLogin: true };
        if (!string.IsNullOrEmpty(input.LoginHint) && (!hosted || promptNone))
        {
            // A plain user name is only the hosted page's prefill; anywhere else it is a hint that does not verify.
            return await VerifyHintAsync(input, cancellationToken);
        }

        IdTokenHint? idTokenHint = null;
        if (input.IdTokenHint is not null && ((idTokenHint = await idTokenHints.ReadAsync(input.IdTokenHint)) is null
                || !idTokenHint.Audiences.Contains(input.ClientId, StringComparer.Ordinal)))
        {
            return Refuse(input.ClientId, Refusals.InvalidIdTokenHint, null, null, null);
        }

        // OIDC Core §3.1.2.1: without a hint, the session answers unless the request asks for a fresh sign-in.
        var session = client is { SingleSignOn: true } && string.IsNullOrEmpty(input.LoginHint) ? await sessions.FindAsync(input.SessionHandle, cancellationToken) : null;
        var tooOld = session is not null && input.MaxAge is { } maxAge && timeProvider.GetUtcNow() - session.AuthTime > TimeSpan.FromSeconds(maxAge);
        var otherUser = session is not null && idTokenHint is not null && idTokenHint.Subject != session.Subject;
        if (session is not null && !tooOld && !otherUser && !input.HasPrompt(PromptValues.Login))
        {
            return await IssueCodeAsync(input, session, cancellationToken);
        }

        if (hosted && !promptNone)
        {
            return AuthorizationOutcome.Interactive;
        }

        var refusal = otherUser ? Refusals.SessionUserMismatch
            : tooOld ? Refusals.MaxAgeExceeded
            : client is { SingleSignOn: true } ? Refusals.NoSession
            // No session for this client and no proof in the request: the user must log in (OIDC Core §3.1.2.6).
            : Refusals.MissingHint;
        return Refuse(input.ClientId, refusal, null, null, null, session?.Subject);
    }

    private async Task<AuthorizationOutcome> VerifyHintAsync(AuthorizationInput input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(input.LoginHint))
        {
            return Refuse(input.ClientId, Refusals.MissingHint, null, null, null);
        }

        var check = await hints.VerifyAsync(input.LoginHint, cancellationToken);
        if (check.Login is not { } login)
        {
            return Refuse(input.ClientId, check.Refusal!, check.KeyId, check.JtiHash, check.Fault);
        }

        // A hint login starts no session unless the operator wants it (the relying party that holds the proof holds the session).
        return sessionOptions.Value.StartFromHintLogins && (await clients.FindAsync(input.ClientId, cancellationToken)) is { SingleSignOn: true }
            ? await IssueCodeAsync(input, login, cancellationToken, startSession: true)
            : await IssueCodeAsync(input, login, cancellationToken);
    }

    /// <summary>A code for the session's user, without a ceremony (single sign-on): the session's auth_time, amr and sid.</summary>
    private async Task<AuthorizationOutcome> IssueCodeAsync(AuthorizationInput input, IdpSession session, CancellationToken cancellationToken)
    {
        var login = new VerifiedPasskeyLogin(session.Subject, null, session.AuthTime, session.AuthTime, SessionMethod, session.Sid) { Method = LoginMethods.Session };
        var outcome = await IssueCodeAsync(input, login, cancellationToken, session.Amr, session.Sid);
        if (outcome.Code is not null)
        {
            await sessions.UsedAsync(input.SessionHandle!, session, input.ClientId, cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Issues a code for a login verified by the caller (a hint above, or a ceremony on the hosted passkey page,
    /// docs/hosted-passkeys.md): <c>max_age</c> is checked against the ceremony's time, and a fault while storing the
    /// code is <c>temporarily_unavailable</c> at the redirect URI like any other fault, never a local error page.
    /// <paramref name="amr"/> is what a hosted ceremony's authenticator proved (RFC 8176); null means <c>Oidc:Amr</c>.
    /// With <paramref name="startSession"/>, the login starts (or refreshes) the browser's identity-provider session
    /// behind <see cref="AuthorizationInput.SessionHandle"/> and the code carries its <c>sid</c>.
    /// </summary>
    public async Task<AuthorizationOutcome> IssueCodeAsync(AuthorizationInput input, VerifiedPasskeyLogin login, CancellationToken cancellationToken,
        IReadOnlyList<string>? amr = null, string? sid = null, bool startSession = false)
    {
        // OIDC Core §3.1.2.1: max_age bounds the time since the user actually authenticated (the ceremony, iat).
        if (input.MaxAge is { } maxAge && timeProvider.GetUtcNow() - login.AuthenticatedAt > TimeSpan.FromSeconds(maxAge))
        {
            return Refuse(input.ClientId, Refusals.MaxAgeExceeded, login.KeyId, login.JtiHash, null, login.Subject, login.Method);
        }

        string code;
        (string Handle, DateTimeOffset ExpiresAt)? started = null;
        try
        {
            if (startSession)
            {
                var (handle, session) = await sessions.SignedInAsync(input.SessionHandle, login.Subject, login.AuthenticatedAt, amr ?? oidc.Value.EffectiveAmr,
                    input.ClientId, cancellationToken);
                sid = session.Sid;
                started = handle == input.SessionHandle ? null : (handle, session.ExpiresAt);
            }

            var grant = LoginGrants.For(login, input.ClientId, input.Scopes, input.RedirectUri, input.Nonce, input.CodeChallenge) with { Amr = amr, Sid = sid };
            code = await grants.IssueCodeAsync(grant, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return Refuse(input.ClientId, Refusals.InternalError, login.KeyId, login.JtiHash, exception, login.Subject, login.Method);
        }

        events.LoginAttempted(input.ClientId, null, login.Subject, login.KeyId, login.JtiHash, method: login.Method);
        return new AuthorizationOutcome(code, null) { NewSession = started };
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
