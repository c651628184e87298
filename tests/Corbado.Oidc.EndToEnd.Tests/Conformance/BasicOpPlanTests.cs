using System.Net;
using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The OpenID Foundation's Basic OP test plan (code flow, client_secret_basic, query response mode), one test per
/// module, named after it ('-' → '_'): the modules that sign in once, or refuse a request. Each signs in as the suite's
/// browser does, on the hosted passkey page in headless Chromium with a virtual authenticator, and asserts what the
/// module asserts. Request variations: <see cref="BasicOpPlanRequestTests"/>; session modules: <see cref="BasicOpPlanSessionTests"/>; the form_post variant:
/// <see cref="BasicOpPlanFormPostTests"/>; the table: docs/conformance.md.
/// </summary>
public sealed class BasicOpPlanTests(BasicOpFixture fixture) : IClassFixture<BasicOpFixture>
{
    [Fact]
    public Task oidcc_server() => BasicOpModules.ServerAsync(fixture, "oidcc-server", null);

    [Fact]
    public async Task oidcc_response_type_missing()
    {
        var parameters = fixture.AuthorizeParameters();
        parameters["response_type"] = null;

        var response = await fixture.Http.AuthorizeAsync(parameters);

        // The module accepts an error page that says so, or invalid_request / unsupported_response_type to the redirect URI.
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, response.Body);
        Assert.Null(response.RedirectTarget);
        Assert.Contains("response_type", response.Body);
        Assert.Contains("invalid_request", response.Body);
    }

    [Fact]
    public async Task oidcc_idtoken_signature()
    {
        await using var user = await fixture.NewUserAsync("oidcc-idtoken-signature");

        var tokens = await user.SignInAsync();

        // Verified against the JWKS by its kid (RedeemAsync); a changed signature no longer verifies.
        var key = Assert.Single(fixture.SigningKeys, k => k.KeyId == tokens.IdToken.Kid);
        Assert.Contains(tokens.IdToken.Alg, fixture.Discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
        var parts = tokens.IdToken.EncodedToken.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[0] ^= 0x01;
        var forged = parts[0] + "." + parts[1] + "." + Base64UrlEncoder.Encode(signature);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(forged, new TokenValidationParameters
        {
            ValidIssuer = fixture.Server.Issuer.AbsoluteUri,
            ValidAudience = BasicOpFixture.ClientId,
            IssuerSigningKey = key,
        });
        Assert.False(result.IsValid);
    }

    [Fact]
    public Task oidcc_userinfo_get() => UserInfoAsync("oidcc-userinfo-get", UserInfoCall.GetHeader);

    [Fact]
    public Task oidcc_userinfo_post_header() => UserInfoAsync("oidcc-userinfo-post-header", UserInfoCall.PostHeader);

    [Fact]
    public Task oidcc_userinfo_post_body() => UserInfoAsync("oidcc-userinfo-post-body", UserInfoCall.PostBody);

    private async Task UserInfoAsync(string subject, UserInfoCall how)
    {
        await fixture.SeedProfileAsync(subject);
        await using var user = await fixture.NewUserAsync(subject);
        var tokens = await user.SignInAsync(p => p["scope"] = "openid email");

        var userInfo = await fixture.UserInfoAsync(tokens.AccessToken, how);

        Assert.Equal(tokens.IdToken.Subject, userInfo.GetProperty("sub").GetString());
        Assert.Equal(subject + "@example.com", userInfo.GetProperty("email").GetString());
    }

    [Fact]
    public async Task oidcc_ensure_request_without_nonce_succeeds_for_code_flow()
    {
        await using var user = await fixture.NewUserAsync("oidcc-no-nonce");

        // The ID token then carries no nonce (checked by ValidateIdTokenAsync for a null nonce).
        var tokens = await user.SignInAsync(p => p["nonce"] = null);

        Assert.False(tokens.IdToken.TryGetPayloadValue<string>("nonce", out _));
    }

    [Fact]
    public async Task oidcc_scope_profile()
    {
        var userInfo = await ScopeAsync("oidcc-scope-profile", "openid profile");

        Assert.Equal("Conformance oidcc-scope-profile", userInfo.GetProperty("name").GetString());
        Assert.Equal("Conformance", userInfo.GetProperty("given_name").GetString());
        Assert.Equal("oidcc-scope-profile", userInfo.GetProperty("preferred_username").GetString());
        Assert.False(userInfo.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task oidcc_scope_email()
    {
        var userInfo = await ScopeAsync("oidcc-scope-email", "openid email");

        Assert.Equal("oidcc-scope-email@example.com", userInfo.GetProperty("email").GetString());
        Assert.True(userInfo.GetProperty("email_verified").GetBoolean());
        Assert.False(userInfo.TryGetProperty("name", out _));
    }

    private async Task<JsonElement> ScopeAsync(string subject, string scope)
    {
        Assert.All(scope.Split(' '), s => Assert.Contains(s, fixture.Discovery.GetProperty("scopes_supported").EnumerateArray().Select(v => v.GetString())));
        await fixture.SeedProfileAsync(subject);
        await using var user = await fixture.NewUserAsync(subject);
        var tokens = await user.SignInAsync(p => p["scope"] = scope);
        var userInfo = await fixture.UserInfoAsync(tokens.AccessToken);
        Assert.Equal(subject, userInfo.GetProperty("sub").GetString());
        return userInfo;
    }

    [Fact]
    public async Task oidcc_scope_all()
    {
        // Not applicable: the suite skips the module when scopes_supported lacks address or phone (this provider keeps no
        // postal address or phone number). Asking for them anyway is answered as RFC 6749 §4.1.2.1 says: invalid_scope
        // to the redirect URI with state, no code.
        var supported = fixture.Discovery.GetProperty("scopes_supported").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.DoesNotContain("address", supported);
        Assert.DoesNotContain("phone", supported);
        var parameters = fixture.AuthorizeParameters("openid profile email address phone");

        var response = await fixture.Http.AuthorizeAsync(parameters);

        Assert.StartsWith(fixture.RedirectUri + "?", response.RedirectTarget!.AbsoluteUri);
        Assert.Equal("invalid_scope", response.Error);
        Assert.Equal(parameters["state"], response.Get("state"));
        Assert.Null(response.Code);
    }

    [Fact]
    public Task oidcc_display_page() => DisplayAsync("page");

    [Fact]
    public Task oidcc_display_popup() => DisplayAsync("popup");

    private async Task DisplayAsync(string display)
    {
        await using var user = await fixture.NewUserAsync("oidcc-display-" + display);

        var tokens = await user.SignInAsync(p => p["display"] = display);

        Assert.Equal("oidcc-display-" + display, tokens.IdToken.Subject);
    }

    [Fact]
    public async Task oidcc_ensure_request_with_unknown_parameter_succeeds()
    {
        await using var user = await fixture.NewUserAsync("oidcc-unknown-parameter");

        await user.SignInAsync(p => p["extra"] = "foobar");
    }

    [Fact]
    public async Task oidcc_ensure_registered_redirect_uri()
    {
        var parameters = fixture.AuthorizeParameters();
        parameters["redirect_uri"] = fixture.RedirectUri + "/not-registered";

        using var response = await fixture.Http.GetAsync(QueryHelpers.AddQueryString("authorize", parameters));

        // Never a redirect to an unregistered URI (OIDC Core §3.1.2.1): an error page.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("redirect_uri", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported()
    {
        // Not applicable: the suite skips the module when request_object_signing_alg_values_supported lacks "none". This
        // provider verifies every request object (docs/security.md), so an unsigned one is refused with
        // invalid_request_object (OIDC Core §3.1.2.6) and no code.
        Assert.DoesNotContain("none", fixture.Discovery.GetProperty("request_object_signing_alg_values_supported").EnumerateArray().Select(v => v.GetString()));
        var claims = RequestObjects.Claims(BasicOpFixture.ClientId, fixture.Server.Issuer, fixture.RedirectUri, "unused");
        claims.Remove("login_hint");
        var unsigned = new JsonWebTokenHandler().CreateToken(JsonSerializer.Serialize(claims));
        Assert.Equal("none", new JsonWebToken(unsigned).Alg);

        var response = await fixture.Http.AuthorizeAsync(new Dictionary<string, string?>
        {
            ["client_id"] = BasicOpFixture.ClientId,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["redirect_uri"] = fixture.RedirectUri,
            ["request"] = unsigned,
        });

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, response.Body);
        Assert.Null(response.RedirectTarget);
        Assert.Contains("invalid_request_object", response.Body);
    }
}
