using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// The passkey login, once, for every door (the fast path and OpenIddict's pipeline): verify the hint and map a refusal
/// to its OAuth error, decide what a code stands for, issue it, redeem it once (a replay revokes its grant), read the
/// profile and write the tokens. A door parses its request, authenticates the client, calls this, and writes the answer.
/// </summary>
internal sealed class PasskeyLoginFlow(
    SignedPasskeyDataVerifier verifier,
    GrantHandleStore codes,
    GrantRevocations grants,
    IUserProfileStore profiles,
    LoginTokenWriter tokens,
    ClientGrantPolicies policies,
    LoginEvents events,
    IOptions<OidcOptions> oidc,
    TimeProvider timeProvider,
    ILogger<PasskeyLoginFlow> logger)
{
    /// <summary>
    /// Verifies the request's passkey login and, when it holds, issues a code for it. Refusals go to the client's
    /// redirect URI (OIDC Core §3.1.2.6): <c>login_required</c> without a hint or past <c>max_age</c>,
    /// <c>access_denied</c> for a refused hint, <c>temporarily_unavailable</c> for an internal fault.
    /// </summary>
    public async Task<AuthorizationOutcome> AuthorizeAsync(AuthorizationInput input, CancellationToken cancellationToken)
    {
        // No IdP session exists, so without proof in the request the user must log in (OIDC Core §3.1.2.6).
        if (string.IsNullOrEmpty(input.LoginHint))
        {
            ServerLog.PasskeyLoginMissing(logger, input.ClientId);
            events.LoginAttempted(input.ClientId, MissingHint, null, null, null);
            return AuthorizationOutcome.Refused(Errors.LoginRequired, "A passkey login is required.");
        }

        var (login, reason) = await VerifyHintAsync(input.ClientId, input.LoginHint, cancellationToken);
        if (login is null)
        {
            return reason == InternalError
                ? AuthorizationOutcome.Refused(Errors.TemporarilyUnavailable, "The passkey login cannot be verified right now; try again.")
                : AuthorizationOutcome.Refused(Errors.AccessDenied, "The passkey login could not be verified.");
        }

        // OIDC Core §3.1.2.1: max_age bounds the time since the user actually authenticated (the ceremony, iat).
        if (input.MaxAge is { } maxAge && timeProvider.GetUtcNow() - login.AuthenticatedAt > TimeSpan.FromSeconds(maxAge))
        {
            ServerLog.PasskeyLoginTooOldForMaxAge(logger, input.ClientId, login.JtiHash);
            events.LoginAttempted(input.ClientId, MaxAgeExceeded, login.Subject, login.KeyId, login.JtiHash);
            return AuthorizationOutcome.Refused(Errors.LoginRequired, "The passkey login is older than max_age allows.");
        }

        return await IssueCodeForVerifiedLoginAsync(input, login, amr: null, cancellationToken);
    }

    /// <summary>
    /// Issues a code for a verified login: a hint verified above, or a ceremony finished on the hosted passkey page
    /// (docs/hosted-passkeys.md), which enters here exactly like a hint: the same grant, code, claims, audit and
    /// metrics. <paramref name="amr"/> says what that ceremony's authenticator proved; null means <c>Oidc:Amr</c>.
    /// </summary>
    public async Task<AuthorizationOutcome> IssueCodeForVerifiedLoginAsync(AuthorizationInput input, VerifiedPasskeyLogin login, IReadOnlyList<string>? amr,
        CancellationToken cancellationToken)
    {
        var grant = GrantFor(login, input.ClientId, input.Scopes, input.RedirectUri, input.Nonce, input.CodeChallenge) with { Amr = amr };

        var started = Stopwatch.GetTimestamp();
        var expiresAt = timeProvider.GetUtcNow() + oidc.Value.AuthorizationCodeLifetime;
        var handle = await codes.IssueAsync(GrantHandleKind.AuthorizationCode, grant.ToJson(), grant.GrantId, expiresAt, cancellationToken);
        events.StepCompleted("code_issue", Stopwatch.GetElapsedTime(started));
        ServerLog.PasskeyLoginAccepted(logger, input.ClientId, login.KeyId, login.JtiHash);
        events.LoginAttempted(input.ClientId, null, login.Subject, login.KeyId, login.JtiHash);
        return new AuthorizationOutcome(handle, null, null);
    }

    /// <summary>
    /// Verifies a hint for a backend that asks directly (the verify API, docs/login-rules.md §5): the same verification
    /// and single-use record as at /authorize, answered with the verified identity and the profile claims that
    /// <paramref name="scopes"/> release. A refusal carries its stable reason code.
    /// </summary>
    public async Task<IdentityOutcome> VerifyIdentityAsync(string clientId, string hint, string? expectedSubject,
        IReadOnlyCollection<string> scopes, CancellationToken cancellationToken)
    {
        var (login, reason) = await VerifyHintAsync(clientId, hint, cancellationToken);
        if (login is null)
        {
            return new IdentityOutcome(null, reason);
        }

        // The caller names the user it expects (Auth0 passes the identifier the user typed): a hint for another user
        // is refused, and stays spent.
        if (expectedSubject is not null && !string.Equals(expectedSubject, login.Subject, StringComparison.Ordinal))
        {
            ServerLog.PasskeyLoginRefused(logger, SubjectMismatch, clientId, login.KeyId, login.JtiHash);
            events.LoginAttempted(clientId, SubjectMismatch, login.Subject, login.KeyId, login.JtiHash);
            return new IdentityOutcome(null, SubjectMismatch);
        }

        var claims = ProfileClaims.AnyReleasedBy(scopes)
            ? [.. ProfileClaims.For(await profiles.FindAsync(login.Subject, cancellationToken), scopes)]
            : Array.Empty<Claim>();
        ServerLog.PasskeyLoginAccepted(logger, clientId, login.KeyId, login.JtiHash);
        events.LoginAttempted(clientId, null, login.Subject, login.KeyId, login.JtiHash);
        return new IdentityOutcome(new VerifiedIdentity(login, oidc.Value.EffectiveAmr, oidc.Value.Acr, claims), null);
    }

    /// <summary>
    /// Exchanges a hint directly for tokens (OAuth 2.0 Token Exchange, RFC 8693) for a native app or a backend-for-frontend
    /// whose client the door has authenticated: the same verification and single-use record as /authorize, the same
    /// claims, <c>amr</c> and <c>auth_time</c> in the tokens as the browser flow; the access token's <c>aud</c> names the
    /// <paramref name="audiences"/> the door has checked against the client's permissions. A refused hint is
    /// <c>invalid_grant</c>.
    /// </summary>
    public async Task<TokenOutcome> ExchangeAsync(string clientId, string hint, IReadOnlyList<string> scopes, IReadOnlyList<string> audiences,
        CancellationToken cancellationToken)
    {
        var (login, reason) = await VerifyHintAsync(clientId, hint, cancellationToken);
        if (login is null)
        {
            events.TokenRequestCompleted(GrantTypes.TokenExchange, clientId, reason, null);
            return reason == InternalError
                ? TokenOutcome.Refused(Errors.TemporarilyUnavailable, "The passkey login cannot be verified right now; try again.")
                : TokenOutcome.Refused(Errors.InvalidGrant, "The subject token could not be verified.");
        }

        ServerLog.PasskeyLoginAccepted(logger, clientId, login.KeyId, login.JtiHash);
        events.LoginAttempted(clientId, null, login.Subject, login.KeyId, login.JtiHash);
        var grant = GrantFor(login, clientId, scopes, redirectUri: null, nonce: null, codeChallenge: null) with { Audiences = audiences.Count > 0 ? audiences : null };
        return new TokenOutcome(await WriteTokensAsync(GrantTypes.TokenExchange, grant, cancellationToken), null, null);
    }

    /// <summary>
    /// Uses a refresh token (RFC 6749 §6) of the authenticated client: rotated at every use, and a token used twice
    /// revokes its whole family, every access and refresh token of the login (RFC 9700 §4.14.2). The new tokens carry the
    /// original login's subject, <c>auth_time</c> and scope.
    /// </summary>
    public async Task<TokenOutcome> RefreshAsync(string clientId, string refreshToken, CancellationToken cancellationToken)
    {
        var issued = await codes.FindAsync(GrantHandleKind.RefreshToken, refreshToken, cancellationToken);
        if (issued is { Redeemed: true })
        {
            await grants.RevokeAsync(issued.GrantId, cancellationToken);
            return RefuseToken(GrantTypes.RefreshToken, "refresh_token_reused", clientId, null, Errors.InvalidGrant, "The refresh token was used before; its grant is revoked.");
        }

        if (issued is null || CodeGrant.FromPayload(issued.Payload) is not { } grant || grant.ClientId != clientId
            || await grants.IsRevokedAsync(grant.GrantId, cancellationToken))
        {
            return RefuseToken(GrantTypes.RefreshToken, "invalid_refresh_token", clientId, null, Errors.InvalidGrant, "The refresh token is invalid, expired or revoked.");
        }

        if (!await codes.TryRedeemAsync(GrantHandleKind.RefreshToken, refreshToken, cancellationToken))
        {
            // Used concurrently: one of the two is a thief (RFC 9700 §4.14.2).
            await grants.RevokeAsync(grant.GrantId, cancellationToken);
            return RefuseToken(GrantTypes.RefreshToken, "refresh_token_reused", clientId, grant.Subject, Errors.InvalidGrant, "The refresh token was used before; its grant is revoked.");
        }

        // OIDC Core §12.2: a refreshed ID token keeps the login's auth_time and carries no nonce; no code, so no at_hash.
        return new TokenOutcome(await WriteTokensAsync(GrantTypes.RefreshToken, grant with { Nonce = null, RedirectUri = null, CodeChallenge = null }, cancellationToken), null, null);
    }

    /// <summary>
    /// RFC 7009: revokes a refresh token of the authenticated client and its whole grant. Unknown, expired or foreign
    /// tokens change nothing (§2.2: the answer is the same, so it reveals nothing).
    /// </summary>
    public async Task RevokeAsync(string clientId, string token, CancellationToken cancellationToken)
    {
        if (await codes.FindAsync(GrantHandleKind.RefreshToken, token, cancellationToken) is { } issued
            && (issued.Redeemed || CodeGrant.FromPayload(issued.Payload)?.ClientId == clientId))
        {
            await codes.TryRedeemAsync(GrantHandleKind.RefreshToken, token, cancellationToken);
            await grants.RevokeAsync(issued.GrantId, cancellationToken);
        }
    }

    /// <summary>Reason code of a hint that could not be checked for an internal fault.</summary>
    public const string InternalError = "internal_error";

    /// <summary>Reason code of an authorization request without a hint.</summary>
    public const string MissingHint = "missing_hint";

    /// <summary>Reason code of a hint whose ceremony is older than the request's max_age.</summary>
    public const string MaxAgeExceeded = "max_age_exceeded";

    /// <summary>Reason code of a valid hint for another user than the caller expected.</summary>
    public const string SubjectMismatch = "subject_mismatch";

    /// <summary>Verifies (and consumes) a hint; a refusal is logged with its reason code, which is returned.</summary>
    private async Task<(VerifiedPasskeyLogin? Login, string? Reason)> VerifyHintAsync(string clientId, string hint, CancellationToken cancellationToken)
    {
        PasskeyLoginResult result;
        var started = Stopwatch.GetTimestamp();
        try
        {
            result = await verifier.VerifyAsync(hint, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ServerLog.PasskeyLoginFault(logger, exception, clientId);
            events.LoginAttempted(clientId, InternalError, null, null, null);
            return (null, InternalError);
        }

        events.StepCompleted("hint_verification", Stopwatch.GetElapsedTime(started));
        if (!result.Succeeded)
        {
            var reason = result.Failure.Value.ToReasonCode();
            ServerLog.PasskeyLoginRefused(logger, reason, clientId, result.KeyId, result.JtiHash);
            events.LoginAttempted(clientId, reason, null, result.KeyId, result.JtiHash);
            return (null, reason);
        }

        return (result.Login, null);
    }

    /// <summary>
    /// Redeems a code for its authenticated client (RFC 6749 §4.1.3): bound to the client, the redirect URI and the
    /// PKCE verifier (RFC 7636 §4.6), used once; a second use revokes what the first produced (RFC 6749 §4.1.2).
    /// </summary>
    public async Task<TokenOutcome> RedeemCodeAsync(CodeRedemption input, CancellationToken cancellationToken)
    {
        var issued = input.Code.Length == GrantHandleStore.HandleLength ? await codes.FindAsync(GrantHandleKind.AuthorizationCode, input.Code, cancellationToken) : null;
        if (issued is { Redeemed: true })
        {
            await grants.RevokeReplayedCodeAsync(issued.GrantId, input.ClientId, cancellationToken);
            return Refuse("code_replayed", Errors.InvalidGrant, "The authorization code has already been redeemed.");
        }

        if (issued is null || CodeGrant.FromPayload(issued.Payload) is not { } grant)
        {
            return Refuse("invalid_code", Errors.InvalidGrant, "The authorization code is invalid or has expired (codes live "
                + (long)oidc.Value.AuthorizationCodeLifetime.TotalSeconds + " s and are single use).");
        }

        if (grant.ClientId != input.ClientId)
        {
            return Refuse("client_mismatch", Errors.InvalidGrant, "The authorization code was issued to another client.", grant.Subject);
        }

        // RFC 6749 §4.1.3: redirect_uri is required when the authorization request had one (ours always do).
        if (input.RedirectUri is null)
        {
            return Refuse("missing_redirect_uri", Errors.InvalidRequest, "The mandatory 'redirect_uri' parameter is missing.", grant.Subject);
        }

        if (input.RedirectUri != grant.RedirectUri)
        {
            return Refuse("redirect_uri_mismatch", Errors.InvalidGrant, "The redirect_uri does not match the authorization request.", grant.Subject);
        }

        if (grant.CodeChallenge is null ? input.CodeVerifier is not null : input.CodeVerifier is null)
        {
            return Refuse("pkce_mismatch", Errors.InvalidRequest, grant.CodeChallenge is null
                ? "The 'code_verifier' parameter is not allowed: the authorization request had no code_challenge."
                : "The mandatory 'code_verifier' parameter is missing.", grant.Subject);
        }

        if (grant.CodeChallenge is not null && !VerifierMatches(input.CodeVerifier!, grant.CodeChallenge))
        {
            return Refuse("pkce_mismatch", Errors.InvalidGrant, "The code_verifier does not match the code_challenge.", grant.Subject);
        }

        if (!await codes.TryRedeemAsync(GrantHandleKind.AuthorizationCode, input.Code, cancellationToken))
        {
            // Redeemed concurrently: RFC 6749 §4.1.2, revoke what the other redemption produced.
            await grants.RevokeReplayedCodeAsync(grant.GrantId, input.ClientId, cancellationToken);
            return Refuse("code_replayed", Errors.InvalidGrant, "The authorization code has already been redeemed.", grant.Subject);
        }

        return new TokenOutcome(await WriteTokensAsync(GrantTypes.AuthorizationCode, grant, cancellationToken), null, null);

        TokenOutcome Refuse(string reason, string error, string description, string? subject = null)
            => RefuseToken(GrantTypes.AuthorizationCode, reason, input.ClientId, subject, error, description);
    }

    private TokenOutcome RefuseToken(string grantType, string reason, string clientId, string? subject, string error, string description)
    {
        ServerLog.TokenRequestRefused(logger, reason, clientId);
        events.TokenRequestCompleted(grantType, clientId, reason, subject);
        return TokenOutcome.Refused(error, description);
    }

    /// <summary>What a verified login grants the client.</summary>
    private static CodeGrant GrantFor(VerifiedPasskeyLogin login, string clientId, IReadOnlyList<string> scopes, string? redirectUri, string? nonce, string? codeChallenge)
        => new()
        {
            ClientId = clientId,
            RedirectUri = redirectUri,
            Scope = string.Join(' ', scopes),
            Nonce = nonce,
            CodeChallenge = codeChallenge,
            Subject = login.Subject,
            PasskeyUserId = login.PasskeyUserId,
            AuthTime = login.AuthenticatedAt.ToUnixTimeSeconds(),
            // A random id per login: the handle that revokes its access tokens if its code is replayed.
            GrantId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };

    /// <summary>The tokens of a grant, with the profile claims its scopes release, read now (docs/login-rules.md §4).</summary>
    private async Task<IssuedTokens> WriteTokensAsync(string grantType, CodeGrant grant, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var scopes = grant.Scopes;
        IReadOnlyCollection<Claim> profileClaims = ProfileClaims.AnyReleasedBy(scopes)
            ? [.. ProfileClaims.For(await profiles.FindAsync(grant.Subject, cancellationToken), scopes)]
            : [];
        var issued = tokens.Write(grant, profileClaims);

        // OIDC Core §11: refresh tokens for offline_access, and only to clients allowed them.
        if (grant.Scopes.Contains(Scopes.OfflineAccess) && await policies.RefreshTokenLifetimeAsync(grant.ClientId, cancellationToken) is { } lifetime)
        {
            var refreshToken = await codes.IssueAsync(GrantHandleKind.RefreshToken, grant.ToJson(), grant.GrantId, timeProvider.GetUtcNow() + lifetime, cancellationToken);
            issued = issued with { RefreshToken = refreshToken };
        }

        events.StepCompleted("token", Stopwatch.GetElapsedTime(started));
        events.TokenRequestCompleted(grantType, grant.ClientId, null, grant.Subject);
        return issued;
    }

    /// <summary>RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time.</summary>
    private static bool VerifierMatches(string verifier, string challenge)
    {
        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
