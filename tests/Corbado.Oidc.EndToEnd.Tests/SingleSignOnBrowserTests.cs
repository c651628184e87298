using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;
using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// Single sign-on in a real browser (Debian's headless Chromium, a CDP virtual authenticator): two ASP.NET Core OpenID
/// Connect relying parties with their own client ids; the user signs in at the first on the hosted passkey page, and
/// the second gets its code from the identity provider's session without the page ever being shown (OIDC Core
/// §3.1.2.1). Both ID tokens carry the same <c>sid</c>. Signing out at the end-session endpoint ends the session: the
/// next sign-in at the second relying party needs the page again.
/// </summary>
public sealed class SingleSignOnBrowserTests
{
    private const string Subject = "browser-sso-1";
    private const string SecondClientId = "aspnet-rp-2";

    [Fact]
    public async Task SecondRelyingParty_SignsInWithoutCeremony_UntilSignedOut()
    {
        var firstBase = SampleRelyingParty.NewBaseAddress("localhost");
        var secondBase = SampleRelyingParty.NewBaseAddress("localhost");
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(firstBase), settings =>
        {
            settings["Clients:2:HostedPasskeyLogin"] = "true";
            settings["Clients:3:ClientId"] = SecondClientId;
            settings["Clients:3:ClientSecret"] = SampleRelyingParty.ClientSecret;
            settings["Clients:3:RedirectUris:0"] = SampleRelyingParty.RedirectUri(secondBase).AbsoluteUri;
            settings["Clients:3:HostedPasskeyLogin"] = "true";
        }, host: "localhost");
        await using var first = await SampleRelyingParty.StartAsync(firstBase, server.Issuer);
        await using var second = await SampleRelyingParty.StartAsync(secondBase, server.Issuer, clientId: SecondClientId);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HostedPasskeyBrowserTests.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var pagesShown = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/passkeys/sign-in?request=", StringComparison.Ordinal))
            {
                pagesShown.Add(request.Url);
            }
        };
        await HostedPasskeyBrowserTests.AddVirtualAuthenticatorAsync(page);

        await page.GotoAsync(new Uri(server.Issuer, "passkeys/enrol?token=" + await HostedPasskeyDriver.NewEnrolmentTokenAsync(server, Subject)).AbsoluteUri);
        await page.ClickAsync("#create");
        await page.WaitForSelectorAsync("#status:has-text('Your passkey was created')");

        // The first relying party: the hosted page and a ceremony.
        await page.GotoAsync(new Uri(firstBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Uri(firstBase, "/me").AbsoluteUri, new PageWaitForURLOptions { Timeout = 90_000 });
        Assert.Equal(Subject, await page.TextContentAsync("#subject"));
        Assert.Single(pagesShown);
        var cookie = Assert.Single(await context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == "__Host-corbado_session");
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);

        // The second: no page, no ceremony.
        await page.GotoAsync(new Uri(secondBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Uri(secondBase, "/me").AbsoluteUri, new PageWaitForURLOptions { Timeout = 90_000 });
        Assert.Equal(Subject, await page.TextContentAsync("#subject"));
        Assert.Single(pagesShown);

        // Sign out at the end-session endpoint (no id_token_hint: the user confirms), then the second needs the page again.
        await page.GotoAsync(new Uri(server.Issuer, "endsession").AbsoluteUri);
        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("h1:has-text('You are signed out')");
        Assert.DoesNotContain(await context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == "__Host-corbado_session");
        await context.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = async () => false;");
        await page.GotoAsync(new Uri(secondBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Regex("/passkeys/sign-in\\?request="));
        Assert.Equal(2, pagesShown.Count);
    }
}
