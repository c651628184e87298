using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Testing;

/// <summary>OIDC Core §6.1 request objects as a relying party such as Okta signs them.</summary>
public static class RequestObjects
{
    /// <summary>The authorization request as request-object claims: <c>iss</c> the client, <c>aud</c> the issuer.</summary>
    public static Dictionary<string, object> Claims(string clientId, Uri issuer, string redirectUri, string hint) => new()
    {
        ["iss"] = clientId,
        ["aud"] = issuer.AbsoluteUri,
        ["client_id"] = clientId,
        ["response_type"] = "code",
        ["redirect_uri"] = redirectUri,
        ["scope"] = "openid email",
        ["state"] = "state-from-object",
        ["nonce"] = "nonce-from-object",
        ["login_hint"] = hint,
    };

    /// <summary>Signs the claims, valid from ten minutes before <paramref name="expires"/> (default: five minutes from now).</summary>
    public static string Sign(Dictionary<string, object> claims, SigningCredentials credentials, DateTime? expires = null)
    {
        var end = expires ?? DateTime.UtcNow.AddMinutes(5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = end,
            NotBefore = end - TimeSpan.FromMinutes(10),
            IssuedAt = end - TimeSpan.FromMinutes(10),
            SigningCredentials = credentials,
        });
    }

    /// <summary>HS256 keyed with the client secret (OIDC Core §10.1: the octets of its UTF-8 representation).</summary>
    public static SigningCredentials WithSecret(string secret)
        => new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    /// <summary>The authorization request as Okta sends it with a request object: the OAuth-required parameters and <c>request</c>.</summary>
    public static Task<AuthorizationResponse> AuthorizeWithObjectAsync(this HttpClient client, string clientId, string requestObject)
        => client.AuthorizeAsync(new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["request"] = requestObject,
        });
}
