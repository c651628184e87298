using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Profiles;

/// <summary>docs/login-rules.md §4: profile claims come from the operator's store, by scope, identical in the ID token and at /userinfo.</summary>
public sealed class ProfileClaimsTests
{
    private const string Subject = "c364a852-0071-70a4-0fe8-ed5728aa9522";

    private static async Task<(JsonWebToken IdToken, JsonElement UserInfo)> LoginAsync(CorbadoOidcServerFactory factory, string scope)
    {
        using var client = factory.CreateProtocolClient();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(webAuthnId: Subject), scope: scope));
        using var tokenResponse = await client.RedeemCodeAsync(authorization.Code!);
        var tokens = await tokenResponse.ReadJsonAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        using var userInfo = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        return (new JsonWebToken(tokens.GetProperty("id_token").GetString()), await userInfo.ReadJsonAsync());
    }

    private static Task SeedAsync(CorbadoOidcServerFactory factory, UserProfile profile)
        => factory.Services.GetRequiredService<EfUserProfileStore>().UpsertAsync([profile], CancellationToken.None);

    [Fact]
    public async Task Login_ProfileAndEmailScopes_ReleasesSameClaimsInIdTokenAndUserInfo()
    {
        using var factory = new CorbadoOidcServerFactory();
        await SeedAsync(factory, new UserProfile { Subject = Subject, Email = "ada@example.com", EmailVerified = true, Name = "Ada Lovelace", GivenName = "Ada", Locale = "en-GB" });

        var (idToken, userInfo) = await LoginAsync(factory, "openid profile email");

        Assert.Equal("ada@example.com", idToken.GetPayloadValue<string>("email"));
        Assert.True(idToken.GetPayloadValue<bool>("email_verified"));
        Assert.Equal("Ada Lovelace", idToken.GetPayloadValue<string>("name"));
        Assert.Equal(Subject, userInfo.GetProperty("sub").GetString());
        foreach (var claim in new[] { "email", "name", "given_name", "locale" })
        {
            Assert.Equal(idToken.GetPayloadValue<string>(claim), userInfo.GetProperty(claim).GetString());
        }

        Assert.Equal(JsonValueKind.True, userInfo.GetProperty("email_verified").ValueKind);
        Assert.Equal(idToken.GetPayloadValue<long>("updated_at"), userInfo.GetProperty("updated_at").GetInt64());
    }

    [Fact]
    public async Task Login_OpenIdScopeOnly_ReleasesNoProfileClaims()
    {
        using var factory = new CorbadoOidcServerFactory();
        await SeedAsync(factory, new UserProfile { Subject = Subject, Email = "ada@example.com", Name = "Ada" });

        var (idToken, userInfo) = await LoginAsync(factory, "openid");

        Assert.False(idToken.TryGetPayloadValue<string>("email", out _));
        Assert.False(idToken.TryGetPayloadValue<string>("name", out _));
        Assert.False(userInfo.TryGetProperty("email", out _));
        Assert.False(userInfo.TryGetProperty("name", out _));
    }

    [Fact]
    public async Task Login_NoProfile_InventsNothing()
    {
        using var factory = new CorbadoOidcServerFactory();

        var (idToken, userInfo) = await LoginAsync(factory, "openid profile email");

        foreach (var claim in ProfileClaims.Types)
        {
            Assert.False(idToken.TryGetPayloadValue<object>(claim, out _), claim);
            Assert.False(userInfo.TryGetProperty(claim, out _), claim);
        }
    }
}
