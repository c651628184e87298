using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Authorization;

/// <summary>
/// docs/login-rules.md §3: what the browser gets back from /authorize. One server for the class, where each test mints
/// its own hint and reads only its own answer; a test that moves the clock or sends a burst keeps its own.
/// </summary>
public sealed class AuthorizeTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private static void AssertErrorRedirect(AuthorizationResponse response, IDictionary<string, string?> request, string error, CorbadoOidcServerFactory factory)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(request["redirect_uri"], response.RedirectTarget!.GetLeftPart(UriPartial.Path));
        Assert.Equal(error, response.Error);
        Assert.Null(response.Code);
        Assert.Equal(request["state"], response.Get("state"));
        Assert.Equal(factory.Issuer.AbsoluteUri, response.Get("iss"));
        // The description is stable and reveals nothing of the hint.
        var description = response.Get("error_description") ?? "";
        Assert.DoesNotContain("usr-", description);
        Assert.DoesNotContain("c364a852", description);
        if (request["login_hint"] is { Length: > 0 } hint)
        {
            Assert.DoesNotContain(hint[..20], description);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Authorize_GetOrPost_ValidHint_RedirectsWithCode(bool usePost)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());

        var response = await client.AuthorizeAsync(request, usePost);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.NotNull(response.Code);
        Assert.Equal(request["state"], response.Get("state"));
    }

    [Fact]
    public async Task Authorize_FormPostResponseMode_ReturnsAutoPostingPageToRedirectUri()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["response_mode"] = "form_post";

        var response = await client.AuthorizeAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialRedirectUri, response.RedirectTarget!.AbsoluteUri);
        Assert.NotNull(response.Code);
        Assert.Equal(request["state"], response.Get("state"));
    }

    [Fact]
    public async Task Authorize_MissingHint_RedirectsWithLoginRequired()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(loginHint: null);

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "login_required", factory);
    }

    [Fact]
    public async Task Authorize_ExpiredHint_RedirectsWithAccessDenied()
    {
        // Its own server: it moves the clock.
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        factory.Clock.Advance(TimeSpan.FromMinutes(7));

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "access_denied", factory);
    }

    [Fact]
    public async Task Authorize_BadSignature_RedirectsWithAccessDenied()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint();
        var request = OidcProtocol.AuthorizeParameters(hint[..^6] + (hint[^6] == 'A' ? "BBBBBB" : "AAAAAA"));

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "access_denied", factory);
    }

    [Fact]
    public async Task Authorize_WrongIssuer_RedirectsWithAccessDenied()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(p => p["iss"] = "pro-someone-else"));

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "access_denied", factory);
    }

    [Fact]
    public async Task Authorize_ReplayedHint_RedirectsWithAccessDenied()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint();
        await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));
        var request = OidcProtocol.AuthorizeParameters(hint);

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "access_denied", factory);
    }

    [Fact]
    public async Task Authorize_HintOlderThanMaxAge_RedirectsWithLoginRequired()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var issuedAt = factory.Clock.GetUtcNow().AddMinutes(-2).ToUnixTimeSeconds();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(p => p["iat"] = issuedAt));
        request["max_age"] = "60";

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "login_required", factory);
    }

    [Fact]
    public async Task Authorize_HintWithinMaxAge_IssuesCode()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["max_age"] = "60";

        Assert.NotNull((await client.AuthorizeAsync(request)).Code);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("login")]
    public async Task Authorize_PromptWithValidHint_IssuesCode(string prompt)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["prompt"] = prompt;

        Assert.NotNull((await client.AuthorizeAsync(request)).Code);
    }

    [Fact]
    public async Task Authorize_PromptNoneWithoutHint_RedirectsWithLoginRequired()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(loginHint: null);
        request["prompt"] = "none";

        AssertErrorRedirect(await client.AuthorizeAsync(request), request, "login_required", factory);
    }

    [Fact]
    public async Task Authorize_UnknownClient_Answers400WithoutRedirect()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), clientId: "nobody"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.RedirectTarget);
        Assert.Contains("invalid_request", response.Body);
    }

    [Theory]
    [InlineData("https://rp.example.com/callback/")]
    [InlineData("https://rp.example.com/Callback")]
    [InlineData("https://RP.example.com/callback?x=1")]
    [InlineData("https://rp.example.com/callback?x=1")]
    [InlineData("https://rp.example.com:8443/callback")]
    [InlineData("https://rp.example.com@evil.example/callback")]
    [InlineData("https://evil.example/callback")]
    public async Task Authorize_UnregisteredRedirectUri_Answers400WithoutRedirect(string redirectUri)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint, redirectUri: redirectUri));
        var replay = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.RedirectTarget);
        // Nothing was consumed by the refused request: the hint still works for the registered URI.
        Assert.NotNull(replay.Code);
    }

    [Fact]
    public async Task Authorize_PkcePlain_IsRefused()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), CorbadoOidcServerFactory.PublicClientId, CorbadoOidcServerFactory.PublicRedirectUri);
        request["code_challenge"] = new string('a', 50);
        request["code_challenge_method"] = "plain";

        var response = await client.AuthorizeAsync(request);

        Assert.Null(response.Code);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task Authorize_PublicClientWithoutPkce_IsRefused()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), CorbadoOidcServerFactory.PublicClientId, CorbadoOidcServerFactory.PublicRedirectUri);

        var response = await client.AuthorizeAsync(request);

        Assert.Null(response.Code);
        Assert.Equal("invalid_request", response.Error);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("id_token")]
    [InlineData("code id_token")]
    public async Task Authorize_ResponseTypeOtherThanCode_IsRefused(string responseType)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["response_type"] = responseType;

        var response = await client.AuthorizeAsync(request);

        // RFC 6749 §4.1.2.1 and OAuth 2.0 Multiple Response Types §5: the error goes to the registered redirect URI,
        // in the fragment because the requested response type defaults to it, and carries no code or token.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(request["redirect_uri"], response.RedirectTarget!.GetLeftPart(UriPartial.Path));
        Assert.True(response.InFragment);
        Assert.Equal("unsupported_response_type", response.Error);
        Assert.Equal(request["state"], response.Get("state"));
        Assert.Null(response.Code);
        Assert.Null(response.Get("access_token"));
        Assert.Null(response.Get("id_token"));
    }

    [Fact]
    public async Task Authorize_UnregisteredScope_IsRefusedWithInvalidScope()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), scope: "openid admin");

        var response = await client.AuthorizeAsync(request);

        Assert.Null(response.Code);
        Assert.Equal("invalid_scope", response.Error);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public async Task Authorize_SameHintConcurrently_YieldsExactlyOneCode(int attempts)
    {
        // Its own server: twenty requests at once would take much of the shared server's /authorize rate-limit bucket.
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint();

        var responses = await Task.WhenAll(Enumerable.Range(0, attempts).Select(_ => client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint))));

        Assert.Single(responses, r => r.Code is not null);
        Assert.All(responses.Where(r => r.Code is null), r => Assert.Equal("access_denied", r.Error));
    }
}
