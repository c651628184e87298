using Corbado.Oidc.Server.Persistence;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login.Sessions;

/// <summary>What a valid <c>id_token_hint</c> says: whose it is, for which client, from which session.</summary>
internal sealed record IdTokenHint(string Subject, IReadOnlyList<string> Audiences, string? Sid);

/// <summary>
/// Reads an <c>id_token_hint</c> (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §2): an ID token this provider signed
/// with one of its published asymmetric keys, for our issuer. Its expiry is not checked (a relying party sends the ID
/// token it kept, which may have expired); its signature always is, by IdentityModel's token handler.
/// </summary>
internal sealed class IdTokenHints(KeyRing keyRing, IOptionsMonitor<OpenIddictServerOptions> server)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>The hint's content when it verifies, else null.</summary>
    public async Task<IdTokenHint?> ReadAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 16 * 1024)
        {
            return null;
        }

        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = server.CurrentValue.Issuer?.AbsoluteUri,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidTypes = [JwtConstants.HeaderType],
            IssuerSigningKeys = keyRing.Current.Signing.Select(credentials => credentials.Key).OfType<AsymmetricSecurityKey>().ToList(),
            TryAllIssuerSigningKeys = true,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || !jwt.TryGetPayloadValue<string>(Claims.Subject, out var subject) || string.IsNullOrEmpty(subject))
        {
            return null;
        }

        jwt.TryGetPayloadValue<string>(LoginClaims.SessionId, out var sid);
        return new IdTokenHint(subject, [.. jwt.Audiences], sid);
    }
}
