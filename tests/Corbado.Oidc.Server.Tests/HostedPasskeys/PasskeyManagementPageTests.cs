using System.Net;
using System.Text.RegularExpressions;
using Corbado.Oidc.Server.Login.WebAuthn;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// docs/hosted-passkeys.md, managing passkeys: a management link opens the page once; the page lists the user's passkeys
/// with names and last use, renames and deletes them through forms that each carry the page's single-use token.
/// </summary>
public sealed partial class PasskeyManagementPageTests : IDisposable
{
    private const string Subject = "user-manage-1";
    private readonly CorbadoOidcServerFactory _factory = new(settings => HostedPasskeyDriver.AddHostedClient(settings));
    private readonly HttpClient _client;
    private readonly SoftwareAuthenticator _authenticator = new("https://localhost", "localhost");

    public PasskeyManagementPageTests() => _client = _factory.CreateProtocolClient();

    public void Dispose()
    {
        _client.Dispose();
        _authenticator.Dispose();
        _factory.Dispose();
    }

    private PasskeyStore Store => _factory.Services.GetRequiredService<PasskeyStore>();

    private async Task<string> NewLinkAsync(string subject = Subject, TimeSpan? lifetime = null)
    {
        var (url, _) = await _factory.Services.GetRequiredService<PasskeyEnrolmentLinks>().CreateManagementAsync(subject, lifetime ?? TimeSpan.FromMinutes(15), default);
        return url.PathAndQuery.TrimStart('/');
    }

    private static string PageToken(string html) => TokenField().Match(html).Groups[1].Value;

    private Task<HttpResponseMessage> ChangeAsync(string token, string action, string credential, string? name = null)
        => _client.PostAsync("passkeys/manage", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["action"] = action,
            ["credential"] = credential,
            ["name"] = name ?? "",
        }));

    [Fact]
    public async Task Open_ListsPasskeysWithNameAndLastUse_StrictCspWithoutScript_LinkSingleUse()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        var link = await NewLinkAsync();

        using var page = await _client.GetAsync(link);
        using var again = await _client.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h2>Test key</h2>", html);
        Assert.Contains("<dt>Last used</dt><dd>never</dd>", html);
        Assert.Contains("This is your only passkey", html);
        Assert.DoesNotContain("<script", html);
        Assert.Matches("<label for=\"name-0\">Name</label><input id=\"name-0\"", html);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("form-action 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("This link cannot be used", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UsedExpiredForgedLinks_AndLinkOfUnknownUser_LookAlike()
    {
        var used = await NewLinkAsync();
        (await _client.GetAsync(used)).Dispose();
        var expiring = await NewLinkAsync(lifetime: TimeSpan.FromMinutes(1));
        var unknownUser = await NewLinkAsync("nobody-at-all");
        _factory.Clock.Advance(TimeSpan.FromMinutes(2));

        using var usedPage = await _client.GetAsync(used);
        using var expiredPage = await _client.GetAsync(expiring);
        using var forgedPage = await _client.GetAsync("passkeys/manage?token=" + new string('A', 43));
        using var enrolmentLinkHere = await _client.GetAsync("passkeys/manage?token=" + await HostedPasskeyDriver.NewEnrolmentTokenAsync(_factory, Subject));
        using var unknownUserPage = await _client.GetAsync(unknownUser);

        var refused = await usedPage.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, usedPage.StatusCode);
        Assert.Equal(refused, await expiredPage.Content.ReadAsStringAsync());
        Assert.Equal(refused, await forgedPage.Content.ReadAsStringAsync());
        Assert.Equal(refused, await enrolmentLinkHere.Content.ReadAsStringAsync());
        // A link for a user without passkeys (or without an account) opens an empty page: it says nothing about who exists.
        Assert.Equal(HttpStatusCode.OK, unknownUserPage.StatusCode);
        Assert.Contains("You have no passkey left", await unknownUserPage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rename_ChangesName_FormTokenIsSingleUse()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        using var page = await _client.GetAsync(await NewLinkAsync());
        var token = PageToken(await page.Content.ReadAsStringAsync());

        using var renamed = await ChangeAsync(token, "rename", _authenticator.CredentialIdText, "  Work laptop ");
        using var replayed = await ChangeAsync(token, "rename", _authenticator.CredentialIdText, "Replayed");
        var html = await renamed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Contains("The passkey was renamed.", html);
        Assert.Contains("<h2>Work laptop</h2>", html);
        Assert.NotEqual(token, PageToken(html));
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal("Work laptop", Assert.Single(await Store.ListCredentialsAsync(Subject, default)).Name);
    }

    [Fact]
    public async Task DeleteLastPasskey_Allowed_PageSaysSo_SignInThenRefused()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        using var page = await _client.GetAsync(await NewLinkAsync());

        using var deleted = await ChangeAsync(PageToken(await page.Content.ReadAsStringAsync()), "delete", _authenticator.CredentialIdText);
        var html = await deleted.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Contains("The passkey was deleted.", html);
        Assert.Contains("You have no passkey left", html);
        Assert.Empty(await Store.ListCredentialsAsync(Subject, default));
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        using var refused = await HostedPasskeyDriver.SignInAsync(_client, request, _authenticator);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Change_OtherUsersPasskeyOrEmptyName_ChangesNothing()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        using var other = new SoftwareAuthenticator("https://localhost", "localhost");
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, "someone-else", other);
        using var page = await _client.GetAsync(await NewLinkAsync());

        using var foreign = await ChangeAsync(PageToken(await page.Content.ReadAsStringAsync()), "delete", other.CredentialIdText);
        using var empty = await ChangeAsync(PageToken(await foreign.Content.ReadAsStringAsync()), "rename", _authenticator.CredentialIdText, "   ");

        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("Nothing was changed", await foreign.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Single(await Store.ListCredentialsAsync("someone-else", default));
        Assert.Equal("Test key", Assert.Single(await Store.ListCredentialsAsync(Subject, default)).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Change_CrossSiteFormWithoutPageToken_Refused_NothingDeleted(string token)
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);

        using var forged = await ChangeAsync(token, "delete", _authenticator.CredentialIdText);
        using var json = await _client.PostAsync("passkeys/manage", new StringContent("{\"action\":\"delete\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("This link cannot be used", await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Single(await Store.ListCredentialsAsync(Subject, default));
    }

    [Fact]
    public async Task PageToken_ExpiresAfterFifteenMinutes()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        using var page = await _client.GetAsync(await NewLinkAsync());
        _factory.Clock.Advance(PasskeyManagement.PageLifetime + TimeSpan.FromSeconds(1));

        using var late = await ChangeAsync(PageToken(await page.Content.ReadAsStringAsync()), "delete", _authenticator.CredentialIdText);

        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Single(await Store.ListCredentialsAsync(Subject, default));
    }

    [Fact]
    public async Task Page_German_ByAcceptLanguage()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        using var message = new HttpRequestMessage(HttpMethod.Get, await NewLinkAsync());
        message.Headers.TryAddWithoutValidation("Accept-Language", "de-DE, en;q=0.5");

        using var page = await _client.SendAsync(message);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Contains("lang=\"de\"", html);
        Assert.Contains("Ihre Passkeys", html);
        Assert.Contains("Diesen Passkey löschen", System.Net.WebUtility.HtmlDecode(html));
    }

    [GeneratedRegex("name=\"token\" value=\"([A-Za-z0-9_-]{43})\"")]
    private static partial Regex TokenField();
}
