using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Authorization;

public sealed class AuthorizeHappyPathTests
{
    [Fact]
    public async Task Authorize_ValidHint_RedirectsWithCodeStateAndIss_AndTokenEndpointIssuesIdToken()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var parameters = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());

        var authorization = await client.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.Redirect, authorization.StatusCode);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialRedirectUri, authorization.RedirectTarget!.GetLeftPart(UriPartial.Path));
        Assert.NotNull(authorization.Code);
        Assert.Equal(parameters["state"], authorization.Get("state"));
        Assert.Equal(factory.Issuer.AbsoluteUri, authorization.Get("iss"));

        using var tokenResponse = await client.RedeemCodeAsync(authorization.Code!);
        var tokens = await tokenResponse.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal("RS256", idToken.Alg);
        Assert.Equal("c364a852-0071-70a4-0fe8-ed5728aa9522", idToken.Subject);
        Assert.Equal(parameters["nonce"], idToken.GetClaim("nonce").Value);
        Assert.Equal("usr-676138078732345317", idToken.GetClaim("passkey_sub").Value);
    }
}
