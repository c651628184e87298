using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace Corbado.Oidc.Server.Tests.Hostile;

/// <summary>
/// Issue 5: authorization requests bent out of shape. None yields a code; errors go to the registered redirect URI
/// only when client and redirect URI are exactly as registered, otherwise they are answered locally. One server for the
/// class: each test mints its own hint and reads only its own answer.
/// </summary>
public sealed class HostileAuthorizeRequestTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Theory]
    [InlineData("javascript:alert(document.domain)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("https://rp.example.com/callback#fragment")]
    [InlineData("https://user:pass@rp.example.com/callback")]
    [InlineData("http://rp.example.com/callback")]
    [InlineData("https://rp.example.com/callback/../callback")]
    [InlineData("https://rp.example.com/callback%2F")]
    [InlineData("https://rp.example.com./callback")]
    [InlineData("//rp.example.com/callback")]
    [InlineData("/callback")]
    [InlineData("https://rp.example.com/callback\nLocation: https://evil.example")]
    public async Task Authorize_RedirectUriNotExactlyRegistered_Answers400WithoutRedirect(string redirectUri)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), redirectUri: redirectUri);

        var response = await client.AuthorizeAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.RedirectTarget);
        Assert.Null(response.Code);
    }

    [Theory]
    [InlineData("client_id", "rp-public")]
    [InlineData("redirect_uri", "https://evil.example/callback")]
    [InlineData("state", "second-state")]
    [InlineData("login_hint", "second-hint")]
    [InlineData("response_type", "token")]
    [InlineData("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")]
    public async Task Authorize_DuplicatedParameter_IsRefusedWithoutCode(string name, string second)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        var query = QueryHelpers.AddQueryString("authorize", request) + "&" + name + "=" + Uri.EscapeDataString(second);

        using var raw = await client.GetAsync(query);
        var response = await OidcProtocol.ParseAsync(raw);

        // RFC 6749 §3.1: request and response parameters MUST NOT be included more than once.
        Assert.Null(response.Code);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest || response.Error == "invalid_request", $"{response.StatusCode} {response.Error}");
        Assert.DoesNotContain("evil.example", response.RedirectTarget?.Host ?? "");
    }

    [Theory]
    [InlineData("short", "S256")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM+/=", "S256")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S512")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "s256")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", null)]
    [InlineData(null, "S256")]
    public async Task Authorize_MalformedPkce_RedirectsWithInvalidRequest(string? challenge, string? method)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["code_challenge"] = challenge;
        request["code_challenge_method"] = method;

        var response = await client.AuthorizeAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(response.Code);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal(request["state"], response.Get("state"));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("none login")]
    public async Task Authorize_UnsupportedOrContradictoryPrompt_IsRefusedWithoutCode(string prompt)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["prompt"] = prompt;

        var response = await client.AuthorizeAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(response.Code);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task Authorize_OversizedState_IsAnsweredLocallyWithoutEchoOrCode()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["state"] = new string('s', 64 * 1024);

        var response = await client.AuthorizeAsync(request, usePost: true);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.RedirectTarget);
        Assert.Null(response.Code);
        Assert.DoesNotContain(new string('s', 1024), response.Body);
    }

    [Fact]
    public async Task Authorize_OversizedNonce_RedirectsWithInvalidRequest()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["nonce"] = new string('n', 64 * 1024);

        var response = await client.AuthorizeAsync(request, usePost: true);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(response.Code);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal(request["state"], response.Get("state"));
    }

    [Fact]
    public async Task Authorize_StateAndNonceAtTheLimit_StillIssueCode()
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        request["state"] = new string('s', 8192);
        request["nonce"] = new string('n', 1024);

        var response = await client.AuthorizeAsync(request, usePost: true);

        Assert.NotNull(response.Code);
        Assert.Equal(request["state"], response.Get("state"));
    }
}
