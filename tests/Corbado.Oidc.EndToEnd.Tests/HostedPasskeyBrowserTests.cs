using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// The hosted passkey pages in a real browser (Debian's headless Chromium, Playwright) with a CDP virtual authenticator
/// (CTAP2, internal transport, resident keys, user verification): a passkey enrolled through the link
/// <c>users enrol</c> prints, then a sign-in from the ASP.NET Core OpenID Connect relying party through /authorize
/// without a hint (its default response mode, form_post), the ID token validated against the JWKS by the relying party's
/// handler; cancel; the passkey renamed and deleted on the management page and then refused. Each page is checked by axe-core and photographed (English and German)
/// into <c>artifacts/hosted-passkeys/</c> beside the test binaries.
/// </summary>
public sealed partial class HostedPasskeyBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string Subject = "browser-hosted-1";

    private static readonly string Artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "hosted-passkeys");

    [Fact]
    public async Task HostedPasskeys_EnrolByCliLink_SignInFromRelyingParty_CancelAndRemovedPasskeyRefused()
    {
        // WebAuthn refuses IP addresses as RP IDs: both parties on "localhost" (same site, so the RP's Lax cookies work).
        var rpBase = SampleRelyingParty.NewBaseAddress("localhost");
        using var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(rpBase),
            settings => settings["Clients:2:HostedPasskeyLogin"] = "true", host: "localhost");
        await using var rp = await SampleRelyingParty.StartAsync(rpBase, server.Issuer);
        var cli = CommandLineEnvironment(server);
        Directory.CreateDirectory(Artifacts);

        var (enrolExit, enrolOutput) = await ServerProcess.RunAsync(cli, server.Directory, "users", "enrol", "--sub", Subject, "--ttl", "15m");
        Assert.True(enrolExit == 0, enrolOutput);
        var link = enrolOutput.Trim().Split('\n')[^1].Trim();
        Assert.StartsWith(server.Issuer.AbsoluteUri + "passkeys/enrol?token=", link);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await AddVirtualAuthenticatorAsync(page);

        // Enrol.
        await page.GotoAsync(link);
        await AssertAccessibleAsync(page, "enrol");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "enrol-en.png"), FullPage = true });
        await page.ClickAsync("#create");
        await page.WaitForSelectorAsync("#status:has-text('Your passkey was created')");

        // Sign in from the relying party, no hint: /authorize sends the browser to the hosted page, where conditional UI
        // (autofill) offers the passkey at once; the virtual authenticator accepts it without a click.
        await page.GotoAsync(new Uri(rpBase, "/signin-hosted").AbsoluteUri);
        await WaitForAsync(page, new Uri(rpBase, "/me"));
        Assert.Equal(Subject, await page.TextContentAsync("#subject"));
        await context.ClearCookiesAsync();

        // A browser without conditional UI: the passkey button.
        await context.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = async () => false;");
        await page.GotoAsync(new Uri(rpBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Regex("/passkeys/sign-in\\?request="));
        await AssertAccessibleAsync(page, "sign-in");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "sign-in-en.png"), FullPage = true });
        var button = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "passkey" });
        await button.ClickAsync();
        await WaitForAsync(page, new Uri(rpBase, "/me"));
        Assert.Equal(Subject, await page.TextContentAsync("#subject"));

        // Cancel: the relying party gets access_denied (its handler reports a remote failure). The sign-in above started
        // an identity-provider session that would answer silently (docs/sessions-and-logout.md): a fresh browser state.
        await context.ClearCookiesAsync();
        await page.GotoAsync(new Uri(rpBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Regex("/passkeys/sign-in\\?request="));
        await page.ClickAsync("#cancel");
        await page.WaitForURLAsync(new Regex("/failed\\?error="));
        Assert.Contains("access_denied", await page.ContentAsync());

        // German, by the browser's language.
        var german = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "de-DE" });
        var germanPage = await german.NewPageAsync();
        await germanPage.GotoAsync(new Uri(rpBase, "/signin-hosted").AbsoluteUri);
        await germanPage.WaitForURLAsync(new Regex("/passkeys/sign-in\\?request="));
        Assert.Equal("de", await germanPage.GetAttributeAsync("html", "lang"));
        await germanPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "sign-in-de.png"), FullPage = true });
        var (_, germanLink) = await ServerProcess.RunAsync(cli, server.Directory, "users", "enrol", "--sub", "someone-else");
        await germanPage.GotoAsync(germanLink.Trim().Split('\n')[^1].Trim());
        Assert.Contains("Passkey erstellen", await germanPage.ContentAsync());
        await germanPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "enrol-de.png"), FullPage = true });

        // The management page, by a link from users passkeys manage: German first (looked at only), then English,
        // where the passkey is renamed and deleted; the same authenticator is then refused.
        var (_, germanManage) = await ServerProcess.RunAsync(cli, server.Directory, "users", "passkeys", "manage", "--sub", Subject);
        await germanPage.GotoAsync(germanManage.Trim().Split('\n')[^1].Trim());
        Assert.Contains("Ihre Passkeys", await germanPage.ContentAsync());
        await AssertAccessibleAsync(germanPage, "manage-de");
        await germanPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "manage-de.png"), FullPage = true });

        var (manageExit, manageOutput) = await ServerProcess.RunAsync(cli, server.Directory, "users", "passkeys", "manage", "--sub", Subject, "--ttl", "10m");
        Assert.True(manageExit == 0, manageOutput);
        await page.GotoAsync(manageOutput.Trim().Split('\n')[^1].Trim());
        await AssertAccessibleAsync(page, "manage");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "manage-en.png"), FullPage = true });
        Assert.Equal("Passkey", await page.TextContentAsync("h2"));
        await page.GetByLabel("Name").FillAsync("Work laptop");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Rename" }).ClickAsync();
        await page.WaitForSelectorAsync("#status:has-text('The passkey was renamed.')");
        Assert.Equal("Work laptop", await page.TextContentAsync("h2"));
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Delete this passkey" }).ClickAsync();
        await page.WaitForSelectorAsync("#status:has-text('The passkey was deleted.')");
        Assert.Contains("You have no passkey left", await page.ContentAsync());
        await AssertAccessibleAsync(page, "manage-empty");
        var (_, listed) = await ServerProcess.RunAsync(cli, server.Directory, "users", "passkeys", "--sub", Subject);
        Assert.Contains("0 passkey(s).", listed);

        await page.GotoAsync(new Uri(rpBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Regex("/passkeys/sign-in\\?request="));
        await button.ClickAsync();
        await page.WaitForSelectorAsync("#status:has-text('could not be used')");
        Assert.Contains("/passkeys/sign-in", page.Url);
    }

    /// <summary>Debian's headless Chromium, as every browser test here runs it.</summary>
    internal static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = File.Exists(ChromiumPath) ? ChromiumPath : throw new InvalidOperationException($"{ChromiumPath} is missing (scripts/test.sh installs chromium)."),
        Headless = true,
        Args = ["--no-sandbox"],
        Timeout = 30_000,
    });

    /// <summary>A CDP virtual authenticator (CTAP2, internal, resident keys, user verification, presence simulated).</summary>
    internal static async Task<VirtualAuthenticator> AddVirtualAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new VirtualAuthenticator(cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    /// <summary>A virtual authenticator added by <see cref="AddVirtualAuthenticatorAsync"/>.</summary>
    internal sealed record VirtualAuthenticator(ICDPSession Cdp, string Id)
    {
        /// <summary>The sum of its credentials' signature counters: every assertion (ceremony) moves it on.</summary>
        public async Task<long> SignCountAsync()
        {
            var credentials = await Cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = Id });
            return credentials!.Value.GetProperty("credentials").EnumerateArray().Sum(credential => credential.GetProperty("signCount").GetInt64());
        }
    }

    /// <summary>axe-core on the page: no serious or critical violation.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var results = await page.RunAxe();
        var severe = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(severe.Count == 0, $"{name}: {string.Join("; ", severe)}");
    }

    /// <summary>Waits until the page is at <paramref name="target"/>; on a timeout, says where it is and what it shows.</summary>
    internal static async Task WaitForAsync(IPage page, Uri target)
    {
        try
        {
            await page.WaitForURLAsync(target.AbsoluteUri, new PageWaitForURLOptions { Timeout = 90_000 });
        }
        catch (TimeoutException exception)
        {
            var body = await page.ContentAsync();
            throw new TimeoutException($"Never reached {target}; at {page.Url}: {body[..Math.Min(body.Length, 2000)]}", exception);
        }
    }

    /// <summary>The command line on the server's own database and issuer, as an operator runs it beside the server.</summary>
    private static Dictionary<string, string?> CommandLineEnvironment(CorbadoOidcServerFactory server) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Oidc__Issuer"] = server.Issuer.AbsoluteUri,
        ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
        ["Corbado__JwksFile"] = server.JwksFile,
        ["Corbado__UseDevelopmentIssuer"] = "false",
        ["Keys__EncryptionKey"] = CorbadoOidcServerFactory.KeyEncryptionKey,
        ["ConnectionStrings__Oidc"] = server.Settings["ConnectionStrings:Oidc"],
    };
}
