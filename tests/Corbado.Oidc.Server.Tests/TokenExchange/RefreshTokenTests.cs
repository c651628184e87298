using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.TokenExchange;

/// <summary>
/// Refresh tokens for clients allowed them (OIDC Core §11, RFC 6749 §6): rotated at every use, a reused one revokes the
/// whole family (RFC 9700 §4.14.2), revocable by their client (RFC 7009), with a per-client lifetime. One server for the
/// class, where each test exchanges its own hint and uses only its own tokens; the test that moves the clock takes a
/// server of its own.
/// </summary>
public sealed class RefreshTokenTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string AppId = "native-bff";
    private const string AppSecret = "native-bff-secret-0123456789abcdefghij";
    private const string OtherId = "other-bff";
    private const string OtherSecret = "other-bff-secret-0123456789abcdefghij";

    private CorbadoOidcServerFactory _factory = servers.Get("refresh-tokens", Configure);

    private static void Configure(Dictionary<string, string?> settings)
    {
        settings["Clients:2:ClientId"] = AppId;
        settings["Clients:2:ClientSecret"] = AppSecret;
        settings["Clients:2:AllowTokenExchange"] = "true";
        settings["Clients:2:AllowRefreshTokens"] = "true";
        settings["Clients:2:RefreshTokenLifetime"] = "01:00:00";
        // A second client allowed refresh tokens, and so /revoke.
        settings["Clients:3:ClientId"] = OtherId;
        settings["Clients:3:ClientSecret"] = OtherSecret;
        settings["Clients:3:AllowTokenExchange"] = "true";
        settings["Clients:3:AllowRefreshTokens"] = "true";
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, Dictionary<string, string> form, string clientId = AppId, string secret = AppSecret)
    {
        using var client = _factory.CreateProtocolClient();
        using var response = await client.PostWithBasicAsync(path, new FormUrlEncodedContent(form), clientId, secret);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, JsonElement Json)> ExchangeAsync(string scope, string clientId = AppId, string secret = AppSecret)
        => PostAsync("token", new()
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = _factory.Minter.Mint(),
            ["subject_token_type"] = "urn:corbado:params:oauth:token-type:signed_passkey_data",
            ["scope"] = scope,
        }, clientId, secret);

    private Task<(HttpStatusCode Status, JsonElement Json)> RefreshAsync(string refreshToken, string clientId = AppId, string secret = AppSecret)
        => PostAsync("token", new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, clientId, secret);

    private async Task<HttpStatusCode> UserInfoAsync(string accessToken)
    {
        using var client = _factory.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Refresh_UsedOnce_RotatesAndKeepsTheLogin()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");
        var refreshToken = first.GetProperty("refresh_token").GetString()!;

        var (status, refreshed) = await RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.OK, status);
        var rotated = refreshed.GetProperty("refresh_token").GetString();
        Assert.NotEqual(refreshToken, rotated);
        Assert.Equal(HttpStatusCode.OK, await UserInfoAsync(refreshed.GetProperty("access_token").GetString()!));
        var idToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(refreshed.GetProperty("id_token").GetString());
        Assert.Equal(_factory.Clock.GetUtcNow().ToUnixTimeSeconds(), idToken.GetPayloadValue<long>("auth_time"));
        Assert.False(idToken.TryGetPayloadValue<string>("nonce", out _));
    }

    [Fact]
    public async Task Refresh_ReusedToken_IsRefusedAndRevokesTheWholeFamily()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");
        var original = first.GetProperty("refresh_token").GetString()!;
        var (_, second) = await RefreshAsync(original);

        var (reuseStatus, reuse) = await RefreshAsync(original);

        Assert.Equal(HttpStatusCode.BadRequest, reuseStatus);
        Assert.Equal("invalid_grant", reuse.GetProperty("error").GetString());
        // The thief's and the owner's tokens alike: the rotated refresh token and every access token of the login.
        var (rotatedStatus, _) = await RefreshAsync(second.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, rotatedStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoAsync(second.GetProperty("access_token").GetString()!));
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoAsync(first.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Revoke_RefreshToken_RevokesItsGrantAndAnswers200()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");
        var refreshToken = first.GetProperty("refresh_token").GetString()!;

        var (revokeStatus, _) = await PostAsync("revoke", new() { ["token"] = refreshToken, ["token_type_hint"] = "refresh_token" });
        var (refreshStatus, _) = await RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.OK, revokeStatus);
        Assert.Equal(HttpStatusCode.BadRequest, refreshStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoAsync(first.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Revoke_SpentRefreshTokenOfAnotherClient_Answers200AndChangesNothing()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");
        var spent = first.GetProperty("refresh_token").GetString()!;
        var (_, second) = await RefreshAsync(spent);

        // RFC 7009 §2.1: the token was not issued to the caller, spent or not; its family must not be revoked.
        var (foreign, _) = await PostAsync("revoke", new() { ["token"] = spent }, OtherId, OtherSecret);

        Assert.Equal(HttpStatusCode.OK, foreign);
        var (status, _) = await RefreshAsync(second.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Revoke_SpentRefreshTokenByItsOwnClient_RevokesTheFamily()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");
        var spent = first.GetProperty("refresh_token").GetString()!;
        var (_, second) = await RefreshAsync(spent);

        var (own, _) = await PostAsync("revoke", new() { ["token"] = spent });

        Assert.Equal(HttpStatusCode.OK, own);
        var (status, _) = await RefreshAsync(second.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoAsync(second.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Revoke_AnotherClientsOrUnknownToken_Answers200AndChangesNothing()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");
        var refreshToken = first.GetProperty("refresh_token").GetString()!;

        var (foreign, _) = await PostAsync("revoke", new() { ["token"] = refreshToken }, CorbadoOidcServerFactory.ConfidentialClientId, CorbadoOidcServerFactory.ConfidentialClientSecret);
        var (unknown, _) = await PostAsync("revoke", new() { ["token"] = "not-a-token" });

        Assert.Equal(HttpStatusCode.OK, unknown);
        // The confidential test client holds no revocation permission; either way the owner's token still works.
        Assert.Contains(foreign, new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest });
        var (status, _) = await RefreshAsync(refreshToken);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Refresh_ByAnotherClient_IsInvalidGrant()
    {
        var (_, first) = await ExchangeAsync("openid offline_access");

        var (status, json) = await PostAsync("token", new() { ["grant_type"] = "refresh_token", ["refresh_token"] = first.GetProperty("refresh_token").GetString()! },
            CorbadoOidcServerFactory.ConfidentialClientId, CorbadoOidcServerFactory.ConfidentialClientSecret);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(json.GetProperty("error").GetString(), new[] { "invalid_grant", "unauthorized_client" });
    }

    [Fact]
    public async Task Refresh_AfterTheClientsLifetime_IsInvalidGrant()
    {
        // A server no other test uses: this one moves the clock.
        _factory = servers.Get("refresh-tokens-own-clock", Configure);
        var (_, first) = await ExchangeAsync("openid offline_access");

        _factory.Clock.Advance(TimeSpan.FromMinutes(61));
        var (status, json) = await RefreshAsync(first.GetProperty("refresh_token").GetString()!);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Exchange_WithoutOfflineAccess_IssuesNoRefreshToken()
    {
        var (status, json) = await ExchangeAsync("openid");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(json.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Authorize_OfflineAccessFromClientNotAllowedRefreshTokens_IsRefusedWithoutCode()
    {
        using var client = _factory.CreateProtocolClient();

        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(_factory.Minter.Mint(), scope: "openid offline_access"));

        // OpenIddict refuses offline_access to a client without the refresh_token grant, at the registered redirect URI.
        Assert.Equal("invalid_request", authorization.Error);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialRedirectUri, authorization.RedirectTarget?.GetLeftPart(UriPartial.Path));
        Assert.Null(authorization.Code);
    }
}
