using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The OpenID Foundation's Basic OP test plan, continued (<see cref="BasicOpPlanTests"/>): the modules that vary the
/// authorization request (hints, locales, acr_values, claims, POST, request object, PKCE) or the token request (client
/// authentication, code reuse, refresh). A class of its own so that it runs beside the others.
/// </summary>
public sealed class BasicOpPlanRequestTests(BasicOpFixture fixture) : IClassFixture<BasicOpFixture>
{
    [Fact]
    public async Task oidcc_login_hint()
    {
        const string subject = "oidcc-login-hint";
        await using var user = await fixture.NewUserAsync(subject);
        var parameters = user.Parameters();
        parameters["login_hint"] = subject;

        // A plain user name (OIDC Core §3.1.2.1): the hosted page shows it prefilled, and the ceremony still runs.
        var callback = await user.AuthorizeAsync(parameters, ceremony: true,
            onPage: async page => Assert.Equal(subject, await page.InputValueAsync("#username")));

        var tokens = await fixture.RedeemAsync(callback.Get("code")!, parameters["nonce"]);
        Assert.Equal(subject, tokens.IdToken.Subject);
    }

    [Fact]
    public async Task oidcc_ui_locales()
    {
        await using var user = await fixture.NewUserAsync("oidcc-ui-locales");
        var parameters = user.Parameters();
        parameters["ui_locales"] = "de";

        // An English browser, and ui_locales asks for German: the hosted page is German.
        var callback = await user.AuthorizeAsync(parameters, ceremony: true,
            onPage: async page => Assert.Equal("de", await page.GetAttributeAsync("html", "lang")));

        await fixture.RedeemAsync(callback.Get("code")!, parameters["nonce"]);
    }

    [Fact]
    public async Task oidcc_claims_locales()
    {
        await fixture.SeedProfileAsync("oidcc-claims-locales");
        await using var user = await fixture.NewUserAsync("oidcc-claims-locales");

        var tokens = await user.SignInAsync(p =>
        {
            p["scope"] = "openid profile";
            p["claims_locales"] = "de";
        });

        Assert.Equal("Conformance oidcc-claims-locales", (await fixture.UserInfoAsync(tokens.AccessToken)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task oidcc_ensure_request_with_acr_values_succeeds()
    {
        await using var user = await fixture.NewUserAsync("oidcc-acr-values");

        var tokens = await user.SignInAsync(p => p["acr_values"] = "1 2");

        Assert.Equal("oidcc-acr-values", tokens.IdToken.Subject);
    }

    [Fact]
    public Task oidcc_codereuse() => BasicOpModules.CodeReuseAsync(fixture, "oidcc-codereuse", null, TimeSpan.Zero);

    [Fact]
    public async Task oidcc_ensure_post_request_succeeds()
    {
        await using var user = await fixture.NewUserAsync("oidcc-post-request");
        var parameters = user.Parameters();

        var callback = await user.AuthorizeAsync(parameters, ceremony: true, post: true);

        Assert.Equal(parameters["state"], callback.Get("state"));
        await fixture.RedeemAsync(callback.Get("code")!, parameters["nonce"]);
    }

    [Fact]
    public async Task oidcc_server_client_secret_post()
    {
        Assert.Contains("client_secret_post", fixture.Discovery.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(v => v.GetString()));
        await using var user = await fixture.NewUserAsync("oidcc-client-secret-post");
        var (code, nonce) = await user.CodeAsync();

        var tokens = await fixture.RedeemAsync(code, nonce, clientSecretPost: true);

        Assert.Equal("oidcc-client-secret-post", tokens.IdToken.Subject);
    }

    [Fact]
    public async Task oidcc_claims_essential()
    {
        await fixture.SeedProfileAsync("oidcc-claims-essential");
        await using var user = await fixture.NewUserAsync("oidcc-claims-essential");

        // The suite's request: scope openid and name essential in userinfo (OIDC Core §5.5).
        var tokens = await user.SignInAsync(p => p["claims"] = """{"userinfo":{"name":{"essential":true}}}""");

        // The request succeeds. This provider does not support the claims parameter and says so in discovery, so name
        // comes only with the profile scope: the suite's warning "name not returned", never a failure.
        Assert.False(fixture.Discovery.GetProperty("claims_parameter_supported").GetBoolean());
        var userInfo = await fixture.UserInfoAsync(tokens.AccessToken);
        Assert.Equal("oidcc-claims-essential", userInfo.GetProperty("sub").GetString());
        Assert.False(userInfo.TryGetProperty("name", out _));
        Assert.False(tokens.IdToken.TryGetPayloadValue<string>("name", out _));
    }

    [Fact]
    public async Task oidcc_ensure_request_object_with_redirect_uri()
    {
        // The module's request object is unsigned (alg none), which this provider refuses (BasicOpPlanTests.oidcc_unsigned_request_object_…); the same request with the
        // object signed (HS256 with the client secret, Clients:N:AllowSymmetricRequestObjects): the object's redirect_uri
        // wins over the query's unregistered one (OIDC Core §6.3.3).
        await using var user = await fixture.NewUserAsync("oidcc-request-object-redirect");
        var claims = RequestObjects.Claims(BasicOpFixture.ClientId, fixture.Server.Issuer, fixture.RedirectUri, "unused");
        claims.Remove("login_hint");
        claims["state"] = "state-" + Guid.NewGuid().ToString("N");
        var requestObject = RequestObjects.Sign(claims, RequestObjects.WithSecret(BasicOpFixture.Secret));

        var callback = await user.AuthorizeAsync(new Dictionary<string, string?>
        {
            ["client_id"] = BasicOpFixture.ClientId,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["redirect_uri"] = fixture.RedirectUri + "/not-registered",
            ["request"] = requestObject,
        }, ceremony: true, expectedState: (string)claims["state"]);

        var tokens = await fixture.RedeemAsync(callback.Get("code")!, (string)claims["nonce"]);
        Assert.Equal("oidcc-request-object-redirect", tokens.IdToken.Subject);
    }

    [Fact]
    public Task oidcc_refresh_token() => BasicOpModules.RefreshTokenAsync(fixture, "oidcc-refresh-token", null);

    [Fact]
    public async Task oidcc_ensure_request_with_valid_pkce_succeeds()
    {
        await using var user = await fixture.NewUserAsync("oidcc-pkce");
        var pkce = Pkce.Create();
        var (code, nonce) = await user.CodeAsync(p =>
        {
            p["code_challenge"] = pkce.Challenge;
            p["code_challenge_method"] = "S256";
        });

        var tokens = await fixture.RedeemAsync(code, nonce, codeVerifier: pkce.Verifier);

        Assert.Equal("oidcc-pkce", tokens.IdToken.Subject);
    }
}
