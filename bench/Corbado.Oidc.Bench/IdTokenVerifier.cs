using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench;

/// <summary>
/// What a relying party checks in an ID token (OIDC Core 3.1.3.7), with Microsoft.IdentityModel's
/// <see cref="JsonWebTokenHandler"/>: an RS256 signature by a signing key of the server's JWKS (fetched once, before
/// timing), <c>iss</c>, <c>aud</c>, <c>exp</c> and <c>nbf</c> (30 s of skew); then what the handler leaves to the
/// relying party: <c>azp</c> (required when there are several audiences, and must name the client when present), a
/// <c>sub</c>, the <c>nonce</c> it sent (absent when it sent none: a refresh), and no <c>crit</c> header.
/// </summary>
public sealed class IdTokenVerifier
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly string _audience;

    public IdTokenVerifier(string jwksJson, Uri issuer, BenchClient client, TimeProvider? timeProvider = null)
    {
        // Signing keys only: an RSA key that is not marked for encryption, and, when it names one, made for RS256.
        var keys = new JsonWebKeySet(jwksJson).Keys
            .Where(jwk => jwk.Kty == "RSA" && jwk.Use != "enc" && (jwk.Alg is not { Length: > 0 } alg || alg == SecurityAlgorithms.RsaSha256))
            .ToList();
        if (keys.Count == 0)
        {
            throw new InvalidOperationException("The server's JWKS has no RSA signing key.");
        }

        _audience = client.ClientId;
        var clock = timeProvider ?? TimeProvider.System;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidIssuer = issuer.AbsoluteUri,
            ValidAudience = client.ClientId,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            // The handler's clock is the system's; a test's clock is honoured by checking the times against it here.
            LifetimeValidator = (notBefore, expires, _, validation) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return expires is { } exp && exp > now - validation.ClockSkew && (notBefore is not { } nbf || nbf <= now + validation.ClockSkew);
            },
        };
    }

    /// <summary>Null when the token is valid, else why not. <paramref name="expectedNonce"/> null: the token must carry none.</summary>
    public async Task<string?> VerifyAsync(string idToken, string? expectedNonce)
    {
        var result = await _handler.ValidateTokenAsync(idToken, _parameters);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad_signature",
                SecurityTokenInvalidIssuerException => "iss_mismatch",
                SecurityTokenInvalidAudienceException => "aud_mismatch",
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException or SecurityTokenNoExpirationException => "expired_or_not_yet_valid",
                SecurityTokenMalformedException => "malformed",
                _ => "invalid_" + (result.Exception?.GetType().Name ?? "token"),
            };
        }

        var token = (JsonWebToken)result.SecurityToken;
        var audiences = token.Audiences.ToList();
        var hasAzp = token.TryGetPayloadValue<string>("azp", out var azp);
        var hasNonce = token.TryGetPayloadValue<string>("nonce", out var nonce);
        // RFC 7515 §4.1.11: a crit header names extensions the recipient must understand; this one understands none.
        return token.TryGetHeaderValue<object>("crit", out _) ? "crit_header"
            : (audiences.Count > 1 && !hasAzp) || (hasAzp && azp != _audience) ? "azp_mismatch" // OIDC Core 3.1.3.7 items 4 and 5
            : string.IsNullOrEmpty(token.Subject) ? "sub_missing"
            : expectedNonce is null ? (hasNonce ? "unexpected_nonce" : null)
            : !hasNonce || nonce != expectedNonce ? "nonce_mismatch"
            : null;
    }
}
