using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// A real browser (Debian's headless Chromium driven by Playwright) through the whole redirect chain: the sample
/// relying party's sign-in, <c>/authorize</c> with the signedPasskeyData as login_hint, the form_post back to the
/// relying party, its code exchange, and the signed-in page.
/// </summary>
public sealed class BrowserSignInTests
{
    /// <summary>Debian's chromium package; Playwright must not download a browser of its own.</summary>
    private const string ChromiumPath = "/usr/bin/chromium";

    private static async Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"{ChromiumPath} is missing: install the Debian package 'chromium' (scripts/test.sh does).");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Containers usually lack the user namespaces Chromium's sandbox needs.
            Args = ["--no-sandbox"],
            Timeout = 30_000,
        });
    }

    [Fact]
    public async Task SignIn_PasskeyVendorHint_BrowserLandsOnRelyingPartySignedIn()
    {
        var rpBase = SampleRelyingParty.NewBaseAddress();
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(rpBase));
        // The minter is the test double of the passkey vendor, which hands the RP a fresh signedPasskeyData per login.
        await using var rp = await SampleRelyingParty.StartAsync(rpBase, server.Issuer, () => server.Minter.Mint(webAuthnId: "browser-user-1"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var navigations = new List<Uri>();
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest)
            {
                navigations.Add(new Uri(request.Url));
            }
        };

        await page.GotoAsync(rpBase.AbsoluteUri);
        await page.ClickAsync("#sign-in");
        try
        {
            // Generous for a loaded CI machine, where the whole suite shares two cores with Chromium.
            await page.WaitForURLAsync(new Uri(rpBase, "/me").AbsoluteUri, new PageWaitForURLOptions { Timeout = 90_000 });
        }
        catch (TimeoutException exception)
        {
            // Say where the browser got stuck: the last navigations and the page it shows.
            var body = await page.ContentAsync();
            throw new TimeoutException($"Never reached /me. At {page.Url} after {string.Join(" -> ", navigations.Select(uri => uri.GetLeftPart(UriPartial.Path)))}; "
                + $"page: {body[..Math.Min(body.Length, 2000)]}", exception);
        }

        var subject = await page.TextContentAsync("#subject");

        Assert.Equal("browser-user-1", subject);
        Assert.Equal(new Uri(rpBase, "/me"), new Uri(page.Url));
        Assert.Contains(navigations, uri => uri.AbsolutePath == "/authorize" && uri.Port == server.Issuer.Port);
        Assert.Contains(navigations, uri => uri.AbsolutePath == "/signin-oidc" && uri.Port == rpBase.Port);
    }
}
