using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// The checks of an OIDC Core §6.1 request object, shared by both doors (OpenIddict's
/// <c>ValidateSignedRequestObject</c> and the fast path), so both accept exactly the same objects: a signed, unencrypted JWT whose signature
/// verifies with one of the client's keys for its <c>alg</c>; <c>iss</c> the client and <c>aud</c> this issuer when
/// present; <c>exp</c>/<c>nbf</c> within two minutes of skew; a <c>client_id</c> claim, when present, equal to the
/// request's; no nested <c>request</c> or <c>request_uri</c>.
/// </summary>
public static class SignedRequestObject
{
    public static readonly IReadOnlyList<string> AsymmetricAlgorithms = ["RS256", "RS384", "RS512", "PS256", "ES256"];
    public static readonly IReadOnlyList<string> SymmetricAlgorithms = ["HS256", "HS384", "HS512"];

    /// <summary>Claims about the object itself (RFC 7519 §4.1), which are not authorization request parameters.</summary>
    private static readonly HashSet<string> RegisteredClaims = new(StringComparer.Ordinal) { "iss", "aud", "exp", "iat", "nbf", "jti" };

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>The object as a JWT, or null when it is not a signed, unencrypted compact JWS (<c>alg</c> none refused).</summary>
    public static JsonWebToken? TryRead(string value)
    {
        try
        {
            var token = new JsonWebToken(value);
            return token.Alg is { Length: > 0 } alg && alg != "none" && !token.IsEncrypted ? token : null;
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The object's payload, whose claims other than the registered ones are request parameters, or the reason it is
    /// refused (its signature, issuer, audience, lifetime or <c>client_id</c>).
    /// </summary>
    public static async Task<(JsonElement? Payload, string? Refusal)> ValidateAsync(JsonWebToken token, IList<SecurityKey> keys, string clientId, string issuer, DateTime now)
    {
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = [token.Alg],
            RequireSignedTokens = true,
            ValidateIssuer = token.TryGetPayloadValue<string>("iss", out _),
            ValidIssuer = clientId,
            ValidateAudience = token.TryGetPayloadValue<object>("aud", out _),
            ValidAudiences = [issuer],
            ValidateLifetime = token.TryGetPayloadValue<object>("exp", out _),
            RequireExpirationTime = false,
            LifetimeValidator = (notBefore, expires, _, _) =>
                (expires is null || now <= expires.Value + ClockSkew) && (notBefore is null || now >= notBefore.Value - ClockSkew),
        });

        if (!result.IsValid)
        {
            return (null, "The request object's signature or claims are not valid.");
        }

        if (token.TryGetPayloadValue<string>("client_id", out var innerClientId) && innerClientId != clientId)
        {
            return (null, "The request object's client_id differs from the request's.");
        }

        // OIDC Core §6.1: request and request_uri must not be included in a request object.
        if (token.TryGetPayloadValue<object>("request", out _) || token.TryGetPayloadValue<object>("request_uri", out _))
        {
            return (null, "The request object must not contain 'request' or 'request_uri'.");
        }

        return (JsonSerializer.Deserialize<JsonElement>(Base64UrlEncoder.DecodeBytes(token.EncodedPayload)), null);
    }

    /// <summary>Whether a claim of a valid object is an authorization request parameter that replaces the query's (§6.3.3).</summary>
    public static bool IsRequestParameter(string claim) => !RegisteredClaims.Contains(claim);
}
