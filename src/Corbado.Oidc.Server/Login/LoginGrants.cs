using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// What every grant shares once a login is verified: the grant a login stands for, its code, and its tokens (with the
/// profile claims its scopes release, read at issue, and a refresh token for <c>offline_access</c>).
/// </summary>
internal sealed class LoginGrants(
    GrantHandleStore handles,
    GrantRevocations revocations,
    IUserProfileStore profiles,
    LoginTokenWriter tokens,
    ClientPolicies clients,
    LoginEvents events,
    IOptions<OidcOptions> oidc,
    TimeProvider timeProvider)
{
    /// <summary>What a verified login grants the client.</summary>
    public static CodeGrant For(VerifiedPasskeyLogin login, string clientId, IReadOnlyList<string> scopes, string? redirectUri, string? nonce, string? codeChallenge)
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
            // A random id per login: the handle that revokes its tokens if its code is replayed.
            GrantId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };

    /// <summary>Whether a grant was revoked (its code or a refresh token replayed, or revoked at /revoke).</summary>
    public ValueTask<bool> IsRevokedAsync(string grantId, CancellationToken cancellationToken) => revocations.IsRevokedAsync(grantId, cancellationToken);

    /// <summary>Stores the grant behind a new authorization code and returns the code.</summary>
    public async Task<string> IssueCodeAsync(CodeGrant grant, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var code = await handles.IssueAsync(GrantHandleKind.AuthorizationCode, grant.ToJson(), grant.GrantId,
            timeProvider.GetUtcNow() + oidc.Value.AuthorizationCodeLifetime, cancellationToken);
        events.StepCompleted("code_issue", Stopwatch.GetElapsedTime(started));
        return code;
    }

    /// <summary>The profile claims <paramref name="scopes"/> release for the subject, read now (docs/login-rules.md §4).</summary>
    public async Task<IReadOnlyList<Claim>> ProfileClaimsAsync(string subject, IReadOnlyCollection<string> scopes, CancellationToken cancellationToken)
        => ProfileClaims.AnyReleasedBy(scopes) ? [.. ProfileClaims.For(await profiles.FindAsync(subject, cancellationToken), scopes)] : [];

    /// <summary>The tokens of a grant, recorded as one token-request outcome.</summary>
    public async Task<TokenOutcome> WriteTokensAsync(string grantType, CodeGrant grant, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var issued = tokens.Write(grant, await ProfileClaimsAsync(grant.Subject, grant.Scopes, cancellationToken));

        // OIDC Core §11: refresh tokens for offline_access, and only to clients allowed them.
        if (grant.Scopes.Contains(Scopes.OfflineAccess) && (await clients.FindAsync(grant.ClientId, cancellationToken))?.RefreshTokenLifetime is { } lifetime)
        {
            var refreshToken = await handles.IssueAsync(GrantHandleKind.RefreshToken, grant.ToJson(), grant.GrantId, timeProvider.GetUtcNow() + lifetime, cancellationToken);
            issued = issued with { RefreshToken = refreshToken };
        }

        events.StepCompleted("token", Stopwatch.GetElapsedTime(started));
        events.TokenRequestCompleted(grantType, grant.ClientId, null, grant.Subject);
        return new TokenOutcome(issued, null);
    }
}
