using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench;

/// <summary>
/// What a relying party checks in an ID token (OIDC Core 3.1.3.7): RS256 signature against the server's published keys
/// (fetched once, before timing), iss, aud, exp, and the nonce it sent.
/// </summary>
public sealed class IdTokenVerifier
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    public IdTokenVerifier(string jwksJson, Uri issuer, BenchClient client)
    {
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.AbsoluteUri,
            ValidAudience = client.ClientId,
            IssuerSigningKeys = new JsonWebKeySet(jwksJson).GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Null when the token is valid, else why not.</summary>
    public async Task<string?> VerifyAsync(string idToken, string expectedNonce)
    {
        var result = await _handler.ValidateTokenAsync(idToken, _parameters);
        if (!result.IsValid)
        {
            return result.Exception?.GetType().Name ?? "invalid";
        }

        return result.SecurityToken is JsonWebToken token && token.TryGetPayloadValue<string>("nonce", out var nonce) && nonce == expectedNonce
            ? null
            : "nonce_mismatch";
    }
}
