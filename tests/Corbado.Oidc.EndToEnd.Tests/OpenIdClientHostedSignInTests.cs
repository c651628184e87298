using System.Text.Json;
using Corbado.Oidc.Testing;
using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// Issue 20's second relying party: panva's openid-client (js/hosted-rp.mjs) signs a user in through <c>/authorize</c>
/// without a hint. openid-client builds the authorization URL (PKCE S256, state, nonce); headless Chromium with a virtual
/// authenticator, which enrolled a passkey through an enrolment link (the one <c>users enrol</c> prints, as
/// HostedPasskeyBrowserTests runs it), follows it to the hosted page and
/// signs in; the callback URL (on real Kestrel) goes back to openid-client, which redeems the code, validates the ID
/// token against the JWKS, and fetches userinfo.
/// </summary>
public sealed class OpenIdClientHostedSignInTests
{
    private const string ClientId = "openid-client-hosted";
    private const string ClientSecret = "openid-client-hosted-secret-0123456789ab";
    private const string Subject = "node-hosted-1";

    [Fact]
    public async Task SignIn_WithoutHint_OnTheHostedPage_OpenIdClientValidatesIdToken()
    {
        await using var clientPages = new ClientPages();
        await clientPages.StartAsync();
        var redirectUri = new Uri(clientPages.BaseAddress, "callback").AbsoluteUri;
        using var server = LoopbackOidcServer.Start(ClientId, ClientSecret, new Uri(redirectUri), settings => settings["Clients:2:HostedPasskeyLogin"] = "true", host: "localhost");
        var environment = new Dictionary<string, string>
        {
            ["OIDC_ISSUER"] = server.Issuer.AbsoluteUri,
            ["OIDC_CLIENT_ID"] = ClientId,
            ["OIDC_CLIENT_SECRET"] = ClientSecret,
            ["OIDC_REDIRECT_URI"] = redirectUri,
        };

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HostedPasskeyBrowserTests.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var authenticator = await HostedPasskeyBrowserTests.AddVirtualAuthenticatorAsync(page);
        await page.GotoAsync(new Uri(server.Issuer, "passkeys/enrol?token=" + await HostedPasskeyDriver.NewEnrolmentTokenAsync(server, Subject)).AbsoluteUri);
        await page.ClickAsync("#create");
        await page.WaitForSelectorAsync("#status:has-text('Your passkey was created')");

        var begun = JsonDocument.Parse(await NodeScript.RunAsync("hosted-rp.mjs", environment, TimeSpan.FromSeconds(60), "begin")).RootElement;
        var authorizationUrl = begun.GetProperty("url").GetString()!;
        Assert.StartsWith(server.Issuer.AbsoluteUri + "authorize?", authorizationUrl);
        Assert.DoesNotContain("login_hint", authorizationUrl);
        var pagesShown = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/passkeys/sign-in?request=", StringComparison.Ordinal))
            {
                pagesShown.Add(request.Url);
            }
        };

        var callback = await clientPages.NavigateAsync(page, authorizationUrl, redirectUri);
        Assert.Single(pagesShown);
        Assert.True(await authenticator.SignCountAsync() > 0, "no assertion was made");

        environment["OIDC_CALLBACK_URL"] = callback.AbsoluteUri;
        environment["OIDC_STATE"] = begun.GetProperty("state").GetString()!;
        environment["OIDC_NONCE"] = begun.GetProperty("nonce").GetString()!;
        environment["OIDC_CODE_VERIFIER"] = begun.GetProperty("codeVerifier").GetString()!;
        var finished = JsonDocument.Parse(await NodeScript.RunAsync("hosted-rp.mjs", environment, TimeSpan.FromSeconds(60), "finish")).RootElement;
        var idToken = finished.GetProperty("idToken");
        Assert.Equal(Subject, idToken.GetProperty("sub").GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, idToken.GetProperty("iss").GetString());
        Assert.Equal(begun.GetProperty("nonce").GetString(), idToken.GetProperty("nonce").GetString());
        Assert.Contains("pop", idToken.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.False(string.IsNullOrEmpty(idToken.GetProperty("sid").GetString()));
        Assert.Equal(Subject, finished.GetProperty("userinfo").GetProperty("sub").GetString());
    }
}
