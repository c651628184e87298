using System.Net;
using System.Text.Json;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// docs/hosted-passkeys.md, open enrolment: with <c>Passkeys:OpenEnrolment=true</c> the sign-in page offers a new user to
/// create a passkey, which creates a fresh subject and signs them in; with the default (false) nothing of it exists.
/// </summary>
public sealed class HostedPasskeyOpenEnrolmentTests
{
    private static CorbadoOidcServerFactory Server(bool openEnrolment) => new(settings =>
    {
        HostedPasskeyDriver.AddHostedClient(settings);
        if (openEnrolment)
        {
            settings["Passkeys:OpenEnrolment"] = "true";
        }
    });

    private static async Task<string> SubjectOfAsync(HttpClient client, JsonElement answer)
    {
        var query = QueryHelpers.ParseQuery(new Uri(answer.GetProperty("uri").GetString()!).Query);
        using var tokens = await client.RedeemCodeAsync(query["code"].ToString(), HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedClientSecret,
            HostedPasskeyDriver.HostedRedirectUri);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        return new JsonWebToken((await tokens.ReadJsonAsync()).GetProperty("id_token").GetString()).Subject;
    }

    [Fact]
    public async Task Off_ByDefault_NoSignUpOnThePage_EndpointsNotFound()
    {
        using var factory = Server(openEnrolment: false);
        using var client = factory.CreateProtocolClient();
        var request = await HostedPasskeyDriver.BeginSignInAsync(client, HostedPasskeyDriver.AuthorizeParameters());

        var html = await client.GetStringAsync("passkeys/sign-in?request=" + request);
        using var options = await HostedPasskeyDriver.PostAsync(client, "passkeys/sign-in/sign-up/options", new { request });
        using var verify = await HostedPasskeyDriver.PostAsync(client, "passkeys/sign-in/sign-up/verify", new { request });

        Assert.DoesNotContain("id=\"sign-up\"", html);
        Assert.DoesNotContain("new account", html);
        Assert.Equal(HttpStatusCode.NotFound, options.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, verify.StatusCode);
        await using var context = await factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<OidcDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, System.Linq.Queryable.Count(context.PasskeyCredentials));
    }

    [Fact]
    public async Task On_NewUserCreatesPasskey_SignedInAsFreshSubject_ThenSignsInWithIt()
    {
        using var factory = Server(openEnrolment: true);
        using var client = factory.CreateProtocolClient();
        using var authenticator = new SoftwareAuthenticator("https://localhost", "localhost");
        var request = await HostedPasskeyDriver.BeginSignInAsync(client, HostedPasskeyDriver.AuthorizeParameters());

        var html = await client.GetStringAsync("passkeys/sign-in?request=" + request);
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(client, "passkeys/sign-in/sign-up/options", new { request });
        using var created = await HostedPasskeyDriver.PostAsync(client, "passkeys/sign-in/sign-up/verify", new { request, ceremony, credential = authenticator.Register(publicKey) });
        using var again = await HostedPasskeyDriver.PostAsync(client, "passkeys/sign-in/sign-up/options", new { request });

        Assert.Matches("<button id=\"sign-up\"[^>]*>[^<]*passkey[^<]*</button>", html);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var subject = await SubjectOfAsync(client, await created.ReadJsonAsync());
        Assert.Equal(publicKey.GetProperty("user").GetProperty("id").GetString(), subject);
        Assert.Equal(authenticator.CredentialIdText, Assert.Single(await factory.Services.GetRequiredService<PasskeyStore>().ListCredentialsAsync(subject, default)).Id);
        // The request answered once.
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        // prompt=login: a ceremony with the new passkey, not the session the sign-up started.
        var second = await HostedPasskeyDriver.BeginSignInAsync(client, new Dictionary<string, string?>(HostedPasskeyDriver.AuthorizeParameters()) { ["prompt"] = "login" });
        using var signedIn = await HostedPasskeyDriver.SignInAsync(client, second, authenticator);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(subject, await SubjectOfAsync(client, await signedIn.ReadJsonAsync()));
    }

    [Fact]
    public async Task On_TwoNewUsers_GetDifferentSubjects()
    {
        using var factory = Server(openEnrolment: true);
        using var client = factory.CreateProtocolClient();
        var subjects = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var request = await HostedPasskeyDriver.BeginSignInAsync(client, HostedPasskeyDriver.AuthorizeParameters());
            var (_, publicKey) = await HostedPasskeyDriver.OptionsAsync(client, "passkeys/sign-in/sign-up/options", new { request });
            subjects.Add(publicKey.GetProperty("user").GetProperty("id").GetString()!);
        }

        Assert.NotEqual(subjects[0], subjects[1]);
        Assert.All(subjects, subject => Assert.Equal(43, subject.Length));
    }
}
