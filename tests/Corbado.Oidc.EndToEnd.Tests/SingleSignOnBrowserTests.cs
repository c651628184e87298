using System.Text.Json;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
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
        await using var sso = await TwoRelyingPartiesAsync();
        var (server, context, page, pagesShown) = (sso.Server, sso.Context, sso.Page, sso.PagesShown);

        // Sign out at the end-session endpoint (no id_token_hint: the user confirms), then the second needs the page again.
        await page.GotoAsync(new Uri(server.Issuer, "endsession").AbsoluteUri);
        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("h1:has-text('You are signed out')");
        Assert.DoesNotContain(await context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == "__Host-corbado_session");
        await context.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = async () => false;");
        await page.GotoAsync(new Uri(sso.SecondBase, "/signin-hosted").AbsoluteUri);
        await page.WaitForURLAsync(new Regex("/passkeys/sign-in\\?request="));
        Assert.Equal(2, pagesShown.Count);
    }

    /// <summary>
    /// Issue 21's "sign-out at one logs the user out of both": both relying parties register a back-channel logout URI
    /// (a real HTTP listener each). The first signs out RP-initiated (its OpenID Connect handler sends the saved ID token as
    /// <c>id_token_hint</c> to <c>/endsession</c>); the second learns it by back-channel: its receiver gets a logout token
    /// that openid-client and jose verify against the JWKS (js/backchannel-logout.mjs), for the <c>sub</c> and <c>sid</c>
    /// of the second's own ID token. The session ended on the server, not only in the browser: the old session cookie put
    /// back gets <c>login_required</c> for <c>prompt=none</c> at the second.
    /// </summary>
    [Fact]
    public async Task SignOutAtOne_SecondLearnsByBackchannel_AndPromptNoneAnswersLoginRequired()
    {
        await using var firstReceiver = new BackchannelLogoutReceiver();
        await using var secondReceiver = new BackchannelLogoutReceiver();
        await firstReceiver.StartAsync();
        await secondReceiver.StartAsync();
        await using var sso = await TwoRelyingPartiesAsync(settings =>
        {
            settings["Clients:2:BackchannelLogoutUri"] = firstReceiver.Uri.AbsoluteUri;
            settings["Clients:3:BackchannelLogoutUri"] = secondReceiver.Uri.AbsoluteUri;
            settings["Clients:3:BackchannelLogoutSessionRequired"] = "true";
        });
        var (server, context, page) = (sso.Server, sso.Context, sso.Page);
        var firstIdToken = new JsonWebToken(await sso.IdTokenAsync(sso.FirstBase));
        var secondIdToken = new JsonWebToken(await sso.IdTokenAsync(sso.SecondBase));
        var sid = secondIdToken.GetClaim("sid").Value;
        Assert.Equal(Subject, secondIdToken.Subject);
        Assert.Equal(firstIdToken.GetClaim("sid").Value, sid);
        var sessionCookie = Assert.Single(await context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == SessionCookieName);
        Assert.Empty(secondReceiver.Requests);

        // RP-initiated logout at the first relying party: /endsession with its id_token_hint, back at its callback.
        var endSession = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.StartsWith(new Uri(server.Issuer, "endsession").AbsoluteUri, StringComparison.Ordinal))
            {
                endSession.Add(request.Url);
            }
        };
        await page.GotoAsync(new Uri(sso.FirstBase, "/signout").AbsoluteUri);
        await HostedPasskeyBrowserTests.WaitForAsync(page, new Uri(sso.FirstBase, "/signed-out"));
        var logoutRequest = QueryHelpers.ParseQuery(new Uri(Assert.Single(endSession)).Query);
        Assert.Equal(firstIdToken.EncodedToken, logoutRequest["id_token_hint"].ToString());
        Assert.Equal(new Uri(sso.FirstBase, "signout-callback-oidc").AbsoluteUri, logoutRequest["post_logout_redirect_uri"].ToString());
        Assert.DoesNotContain(await context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == SessionCookieName);

        // The second relying party learns it by back-channel (so does the first).
        await secondReceiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, TimeSpan.FromSeconds(30), "the second relying party's logout token");
        await firstReceiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, TimeSpan.FromSeconds(30), "the first relying party's logout token");
        var delivery = Assert.Single(secondReceiver.Requests);
        Assert.Equal("application/x-www-form-urlencoded", delivery.ContentType);
        Assert.Equal(["logout_token"], delivery.FormKeys);
        var output = await NodeScript.RunAsync("backchannel-logout.mjs", new Dictionary<string, string>
        {
            ["OIDC_ISSUER"] = server.Issuer.AbsoluteUri,
            ["OIDC_CLIENT_ID"] = SecondClientId,
            ["LOGOUT_TOKEN"] = delivery.LogoutToken!,
        }, TimeSpan.FromSeconds(60));
        var payload = JsonDocument.Parse(output).RootElement.GetProperty("payload");
        Assert.Equal(SecondClientId, payload.GetProperty("aud").GetString());
        Assert.Equal(secondIdToken.Subject, payload.GetProperty("sub").GetString());
        Assert.Equal(sid, payload.GetProperty("sid").GetString());
        var firstPayload = new JsonWebToken(Assert.Single(firstReceiver.Requests).LogoutToken!);
        Assert.Equal([SampleRelyingParty.ClientId], firstPayload.Audiences);
        Assert.Equal(sid, firstPayload.GetClaim("sid").Value);

        // The session is over on the server: even the old cookie put back gets login_required at the second.
        await context.AddCookiesAsync([new Cookie
        {
            Name = sessionCookie.Name, Value = sessionCookie.Value, Domain = sessionCookie.Domain, Path = sessionCookie.Path, Secure = sessionCookie.Secure,
            HttpOnly = sessionCookie.HttpOnly, SameSite = sessionCookie.SameSite,
        }]);
        Assert.Contains(await context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == SessionCookieName && c.Value == sessionCookie.Value);
        var signCount = await sso.Authenticator.SignCountAsync();
        await page.GotoAsync(new Uri(sso.SecondBase, "/signin-silent").AbsoluteUri);
        await page.WaitForURLAsync(new Regex("/failed\\?error="), new PageWaitForURLOptions { Timeout = 90_000 });
        Assert.Contains("login_required", await page.TextContentAsync("body"));
        Assert.Equal(signCount, await sso.Authenticator.SignCountAsync());
    }

    private const string SessionCookieName = "__Host-corbado_session";

    /// <summary>
    /// A server with two hosted-passkey relying parties (ASP.NET Core OpenID Connect, own client ids) and a browser in
    /// which the user enrolled a passkey, signed in at the first with a ceremony on the hosted page and at the second
    /// without one (the page never shown, the authenticator never asked).
    /// </summary>
    private static async Task<SignedInAtBoth> TwoRelyingPartiesAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var firstBase = SampleRelyingParty.NewBaseAddress("localhost");
        var secondBase = SampleRelyingParty.NewBaseAddress("localhost");
        var server = LoopbackOidcServer.Start(SampleRelyingParty.ClientId, SampleRelyingParty.ClientSecret, SampleRelyingParty.RedirectUri(firstBase), settings =>
        {
            settings["Clients:2:HostedPasskeyLogin"] = "true";
            settings["Clients:2:PostLogoutRedirectUris:0"] = new Uri(firstBase, "signout-callback-oidc").AbsoluteUri;
            settings["Clients:3:ClientId"] = SecondClientId;
            settings["Clients:3:ClientSecret"] = SampleRelyingParty.ClientSecret;
            settings["Clients:3:RedirectUris:0"] = SampleRelyingParty.RedirectUri(secondBase).AbsoluteUri;
            settings["Clients:3:HostedPasskeyLogin"] = "true";
            configure?.Invoke(settings);
        }, host: "localhost");
        var sso = new SignedInAtBoth(server, firstBase, secondBase);
        try
        {
            sso.First = await SampleRelyingParty.StartAsync(firstBase, server.Issuer);
            sso.Second = await SampleRelyingParty.StartAsync(secondBase, server.Issuer, clientId: SecondClientId);
            sso.Playwright = await Playwright.CreateAsync();
            sso.Browser = await HostedPasskeyBrowserTests.LaunchChromiumAsync(sso.Playwright);
            sso.Context = await sso.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
            var page = sso.Page = await sso.Context.NewPageAsync();
            page.SetDefaultTimeout(60_000);
            page.Request += (_, request) =>
            {
                if (request.Url.Contains("/passkeys/sign-in?request=", StringComparison.Ordinal))
                {
                    sso.PagesShown.Add(request.Url);
                }
            };
            sso.Authenticator = await HostedPasskeyBrowserTests.AddVirtualAuthenticatorAsync(page);

            await page.GotoAsync(new Uri(server.Issuer, "passkeys/enrol?token=" + await HostedPasskeyDriver.NewEnrolmentTokenAsync(server, Subject)).AbsoluteUri);
            await page.ClickAsync("#create");
            await page.WaitForSelectorAsync("#status:has-text('Your passkey was created')");

            // The first relying party: the hosted page and a ceremony.
            await page.GotoAsync(new Uri(firstBase, "/signin-hosted").AbsoluteUri);
            await HostedPasskeyBrowserTests.WaitForAsync(page, new Uri(firstBase, "/me"));
            Assert.Equal(Subject, await page.TextContentAsync("#subject"));
            Assert.Single(sso.PagesShown);
            var ceremonies = await sso.Authenticator.SignCountAsync();
            Assert.True(ceremonies > 0, "the first sign-in ran no ceremony");
            var cookie = Assert.Single(await sso.Context.CookiesAsync([server.Issuer.AbsoluteUri]), c => c.Name == SessionCookieName);
            Assert.True(cookie.HttpOnly);
            Assert.True(cookie.Secure);
            Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);

            // The second: no page, no ceremony.
            await page.GotoAsync(new Uri(secondBase, "/signin-hosted").AbsoluteUri);
            await HostedPasskeyBrowserTests.WaitForAsync(page, new Uri(secondBase, "/me"));
            Assert.Equal(Subject, await page.TextContentAsync("#subject"));
            Assert.Single(sso.PagesShown);
            Assert.Equal(ceremonies, await sso.Authenticator.SignCountAsync());
            return sso;
        }
        catch
        {
            await sso.DisposeAsync();
            throw;
        }
    }

    private sealed class SignedInAtBoth(CorbadoOidcServerFactory server, Uri firstBase, Uri secondBase) : IAsyncDisposable
    {
        public CorbadoOidcServerFactory Server { get; } = server;
        public Uri FirstBase { get; } = firstBase;
        public Uri SecondBase { get; } = secondBase;
        public SampleRelyingParty? First { get; set; }
        public SampleRelyingParty? Second { get; set; }
        public IPlaywright? Playwright { get; set; }
        public IBrowser? Browser { get; set; }
        public IBrowserContext Context { get; set; } = null!;
        public IPage Page { get; set; } = null!;
        public HostedPasskeyBrowserTests.VirtualAuthenticator Authenticator { get; set; } = null!;
        public List<string> PagesShown { get; } = [];

        /// <summary>The ID token a relying party saved at its sign-in (read with the browser's cookies for it).</summary>
        public async Task<string> IdTokenAsync(Uri relyingParty)
        {
            var response = await Context.APIRequest.GetAsync(new Uri(relyingParty, "/id-token").AbsoluteUri);
            Assert.Equal(200, response.Status);
            return await response.TextAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (Browser is not null)
            {
                await Browser.DisposeAsync();
            }

            Playwright?.Dispose();
            if (Second is not null)
            {
                await Second.DisposeAsync();
            }

            if (First is not null)
            {
                await First.DisposeAsync();
            }

            Server.Dispose();
        }
    }
}
