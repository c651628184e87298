using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// Writes the ID and access tokens of a redeemed code (for <see cref="LoginGrants"/>), with OpenIddict's own token
/// handler, keys and token shapes: the ID token is the RS256 JWT OpenIddict would sign (same claims, same JWKS key); the access token
/// is the RFC 9068 <c>at+jwt</c> OpenIddict issues (HMAC-signed with the internal key, then encrypted), so
/// OpenIddict's /userinfo validates it like one of its own.
/// </summary>
internal sealed class LoginTokenWriter(IOptionsMonitor<OpenIddictServerOptions> server, KeyRing keyRing, IOptions<OidcOptions> oidc, TimeProvider timeProvider)
{
    public IssuedTokens Write(CodeGrant grant, IReadOnlyCollection<Claim> profileClaims)
    {
        var options = server.CurrentValue;
        var settings = oidc.Value;
        var issuer = options.Issuer?.AbsoluteUri ?? throw new InvalidOperationException("Oidc:Issuer is required.");
        var instant = timeProvider.GetUtcNow();
        var now = instant.UtcDateTime;
        // The keys in memory, newest active per use (docs/operations.md): no database read per login.
        var keys = keyRing.Current;

        var access = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.ClientId] = grant.ClientId,
            [Claims.Scope] = grant.Scope,
            [Claims.JwtId] = Guid.NewGuid().ToString(),
            [LoginClaims.GrantId] = grant.GrantId,
        };
        if (grant.Audiences is { Count: > 0 } audiences)
        {
            // RFC 9068 §2.2: the resource servers the token is for.
            access[Claims.Audience] = audiences.ToArray();
        }

        var accessToken = Create(access, settings.AccessTokenLifetime, JsonWebTokenTypes.AccessToken, keys.InternalSigning(instant), keys.AccessTokenEncryption(instant));

        var identity = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.Audience] = grant.ClientId,
            [Claims.AuthorizedParty] = grant.ClientId,
            [Claims.AuthenticationTime] = grant.AuthTime,
            [Claims.AuthenticationContextReference] = settings.Acr,
            [Claims.AuthenticationMethodReference] = (grant.Amr ?? settings.EffectiveAmr).ToArray(),
        };

        // OIDC Core §3.1.3.6: at_hash binds the ID token to the access token of a code exchange. A token exchange
        // (no redirect URI: no code) answers its access token as the RFC 8693 issued token, which relying-party
        // libraries keep apart from an access token (OpenIddict.Client then has nothing to hash), so it carries none.
        if (grant.RedirectUri is not null)
        {
            identity[Claims.AccessTokenHash] = AccessTokenHash(accessToken);
        }

        if (grant.Nonce is not null)
        {
            identity[Claims.Nonce] = grant.Nonce;
        }

        if (grant.Sid is not null)
        {
            identity[LoginClaims.SessionId] = grant.Sid;
        }

        // OIDC Core §2: ID tokens are signed with the published asymmetric key (RS256, what Okta validates). A token
        // exchange without openid gets none (RFC 8693 §2.2.1 answers the access token).
        var idToken = !grant.Scopes.Contains(Scopes.OpenId) ? null : Create(identity, settings.IdentityTokenLifetime, Microsoft.IdentityModel.JsonWebTokens.JwtConstants.HeaderType,
            keys.IdTokenSigning(instant));

        return new IssuedTokens(idToken, accessToken, (long)settings.AccessTokenLifetime.TotalSeconds, grant.Scope);

        // The subject, the passkey user id and the profile claims go in both tokens (userinfo answers from the access token).
        string Create(Dictionary<string, object> claims, TimeSpan lifetime, string type, SigningCredentials signing, EncryptingCredentials? encrypting = null)
        {
            claims[Claims.Subject] = grant.Subject;
            AddCommon(claims, grant, profileClaims);
            return options.JsonWebTokenHandler.CreateToken(new SecurityTokenDescriptor
            {
                Claims = claims,
                Issuer = issuer,
                IssuedAt = now,
                Expires = now + lifetime,
                TokenType = type,
                SigningCredentials = signing,
                EncryptingCredentials = encrypting,
            });
        }
    }

    private static void AddCommon(Dictionary<string, object> claims, CodeGrant grant, IReadOnlyCollection<Claim> profileClaims)
    {
        if (grant.PasskeyUserId is not null)
        {
            claims[PasskeyClaimTypes.PasskeyUserId] = grant.PasskeyUserId;
        }

        foreach (var claim in profileClaims)
        {
            claims[claim.Type] = LoginClaims.ProfileValue(claim);
        }
    }

    /// <summary>OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token (RS256), base64url.</summary>
    private static string AccessTokenHash(string accessToken)
        => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)).AsSpan(0, 16).ToArray());
}
