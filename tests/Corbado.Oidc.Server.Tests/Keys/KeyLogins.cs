using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.Keys;

/// <summary>A complete login against a test server, and ID-token verification against a JWKS document, for the key tests.</summary>
internal static class KeyLogins
{
    /// <summary>Logs in (authorize, redeem) and returns the ID and access tokens.</summary>
    public static async Task<(JsonWebToken IdToken, string AccessToken)> LoginAsync(CorbadoOidcServerFactory factory, HttpClient client)
    {
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        using var response = await client.RedeemCodeAsync(authorization.Code!);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await response.ReadJsonAsync();
        return (new JsonWebToken(tokens.GetProperty("id_token").GetString()), tokens.GetProperty("access_token").GetString()!);
    }

    /// <summary>Verifies the ID token's signature (only: the fake clock may be past its lifetime) against <paramref name="jwks"/>.</summary>
    public static async Task<bool> SignatureVerifiesAsync(JsonWebToken idToken, string jwks)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken.EncodedToken, new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        return result.IsValid;
    }

    /// <summary>The kids the JWKS publishes.</summary>
    public static IReadOnlyList<string> Kids(string jwks) => [.. new JsonWebKeySet(jwks).Keys.Select(k => k.Kid)];

    /// <summary>Calls /userinfo with the access token and returns the status.</summary>
    public static async Task<HttpStatusCode> UserInfoAsync(HttpClient client, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo") { Headers = { Authorization = new("Bearer", accessToken) } };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
