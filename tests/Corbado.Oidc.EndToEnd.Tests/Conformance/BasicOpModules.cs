using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The Basic OP modules that the plan's form_post variant runs too: each takes the response mode (null for query,
/// <c>form_post</c>) and asserts what the module asserts. The facts that name the modules call these.
/// </summary>
internal static class BasicOpModules
{
    /// <summary>oidcc-server: a sign-in, the code redeemed, the ID token validated, userinfo for the same subject.</summary>
    public static async Task ServerAsync(BasicOpFixture fixture, string subject, string? responseMode)
    {
        await using var user = await fixture.NewUserAsync(subject, responseMode: responseMode);

        var tokens = await user.SignInAsync();

        Assert.Equal(subject, (await fixture.UserInfoAsync(tokens.AccessToken)).GetProperty("sub").GetString());
    }

    /// <summary>oidcc-prompt-none-logged-in: after a sign-in, <c>prompt=none</c> answers a code without any page, for the same user.</summary>
    public static Task PromptNoneLoggedInAsync(BasicOpFixture fixture, string subject, string? responseMode)
        => SilentSecondSignInAsync(fixture, subject, responseMode, "prompt", "none");

    /// <summary>oidcc-max-age-10000: a session younger than max_age answers without a new ceremony; auth_time is unchanged.</summary>
    public static Task MaxAge10000Async(BasicOpFixture fixture, string subject, string? responseMode)
        => SilentSecondSignInAsync(fixture, subject, responseMode, "max_age", "10000");

    private static async Task SilentSecondSignInAsync(BasicOpFixture fixture, string subject, string? responseMode, string parameter, string value)
    {
        await using var user = await fixture.NewUserAsync(subject, responseMode: responseMode);
        var first = await user.SignInAsync();

        var second = await user.SignInAsync(p => p[parameter] = value, ceremony: false);

        Assert.Equal(first.IdToken.Subject, second.IdToken.Subject);
        Assert.Equal(first.AuthTime, second.AuthTime);
    }

    /// <summary>oidcc-id-token-hint: the first ID token as id_token_hint with prompt=none answers a code for the same user.</summary>
    public static async Task IdTokenHintAsync(BasicOpFixture fixture, string subject, string? responseMode)
    {
        await using var user = await fixture.NewUserAsync(subject, responseMode: responseMode);
        var first = await user.SignInAsync();

        var second = await user.SignInAsync(p =>
        {
            p["prompt"] = "none";
            p["id_token_hint"] = first.IdToken.EncodedToken;
        }, ceremony: false);

        Assert.Equal(first.IdToken.Subject, second.IdToken.Subject);
    }

    /// <summary>
    /// oidcc-codereuse (and -30seconds): the code works once; its second redemption is <c>invalid_grant</c>, and the access
    /// token of the first is revoked (RFC 6749 §4.1.2 "SHOULD"; the suite warns otherwise).
    /// </summary>
    public static async Task CodeReuseAsync(BasicOpFixture fixture, string subject, string? responseMode, TimeSpan wait)
    {
        await using var user = await fixture.NewUserAsync(subject, responseMode: responseMode);
        var (code, nonce) = await user.CodeAsync();
        var tokens = await fixture.RedeemAsync(code, nonce);
        await fixture.UserInfoAsync(tokens.AccessToken);

        await Task.Delay(wait);
        using var again = await fixture.Http.RedeemCodeAsync(code, BasicOpFixture.ClientId, BasicOpFixture.Secret, fixture.RedirectUri);

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("invalid_grant", (await again.ReadJsonAsync()).GetProperty("error").GetString());
        using var userInfo = new HttpRequestMessage(HttpMethod.Get, fixture.Discovery.GetProperty("userinfo_endpoint").GetString());
        userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var revoked = await fixture.Http.SendAsync(userInfo);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("invalid_token", revoked.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>
    /// oidcc-refresh-token: <c>offline_access</c> (with <c>prompt=consent</c>, as the suite sends it) yields a refresh
    /// token; redeeming it gives a new access token that works, a rotated refresh token, and an ID token for the same
    /// user, issuer, audience and auth_time; another client cannot use it.
    /// </summary>
    public static async Task RefreshTokenAsync(BasicOpFixture fixture, string subject, string? responseMode)
    {
        await using var user = await fixture.NewUserAsync(subject, responseMode: responseMode);
        var first = await user.SignInAsync(p =>
        {
            p["scope"] = "openid offline_access";
            p["prompt"] = "consent";
        });
        Assert.False(string.IsNullOrEmpty(first.RefreshToken));

        using var stolen = await RefreshAsync(fixture, first.RefreshToken!, BasicOpFixture.SecondClientId, BasicOpFixture.SecondSecret);
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        Assert.Equal("invalid_grant", (await stolen.ReadJsonAsync()).GetProperty("error").GetString());

        using var refreshed = await RefreshAsync(fixture, first.RefreshToken!, BasicOpFixture.ClientId, BasicOpFixture.Secret);
        var json = await refreshed.ReadJsonAsync();
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, json.ToString());
        var accessToken = json.GetProperty("access_token").GetString()!;
        Assert.NotEqual(first.AccessToken, accessToken);
        Assert.NotEqual(first.RefreshToken, json.GetProperty("refresh_token").GetString());
        var idToken = await fixture.ValidateIdTokenAsync(json.GetProperty("id_token").GetString()!, nonce: null);
        Assert.Equal(first.IdToken.Subject, idToken.Subject);
        Assert.Equal(first.AuthTime, idToken.GetPayloadValue<long>("auth_time"));
        Assert.Equal(subject, (await fixture.UserInfoAsync(accessToken)).GetProperty("sub").GetString());
    }

    private static Task<HttpResponseMessage> RefreshAsync(BasicOpFixture fixture, string refreshToken, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, fixture.Discovery.GetProperty("token_endpoint").GetString())
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));
        return fixture.Http.SendAsync(request);
    }
}
