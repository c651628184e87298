using System.Net;
using System.Net.Http.Json;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// The hosted passkey pages on two replicas of the server binary sharing one PostgreSQL database: a ceremony started at
/// one replica finishes at the other, and its challenge replayed at the first is refused (single use lives in the
/// database, not in a process).
/// </summary>
public sealed class HostedPasskeyFleetTests : IAsyncLifetime
{
    private ServerFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        _fleet = new ServerFleet(connectionString, 2, new Dictionary<string, string?>
        {
            ["Clients__1__ClientId"] = HostedPasskeyDriver.HostedClientId,
            ["Clients__1__ClientSecret"] = HostedPasskeyDriver.HostedClientSecret,
            ["Clients__1__RedirectUris__0"] = HostedPasskeyDriver.HostedRedirectUri,
            ["Clients__1__HostedPasskeyLogin"] = "true",
        });
        await _fleet.StartAllAsync(TimeSpan.FromSeconds(120));
    }

    public Task DisposeAsync()
    {
        _fleet.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Ceremonies_StartedAtOneReplica_FinishAtTheOther_ReplayAtTheFirstRefused()
    {
        using var a = _fleet.CreateClient(0);
        using var b = _fleet.CreateClient(1);
        using var authenticator = new SoftwareAuthenticator("https://login.example.com", "login.example.com");

        // Enrolment: the link from the command line, options at A, registration at B.
        var (exit, output) = await _fleet.RunAdminAsync("users", "enrol", "--sub", "fleet-user");
        Assert.True(exit == 0, output);
        var link = new Uri(output.Trim().Split('\n')[^1].Trim());
        var token = QueryHelpers.ParseQuery(link.Query)["token"].ToString();
        var (enrolCeremony, creation) = await HostedPasskeyDriver.OptionsAsync(a, "passkeys/enrol/options", new { token });
        using var enrolled = await b.PostAsJsonAsync("passkeys/enrol/verify", new { token, ceremony = enrolCeremony, credential = authenticator.Register(creation), name = "Fleet key" });
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);

        // Sign-in: /authorize and options at A, the assertion at B, the same assertion replayed at A.
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        var request = await HostedPasskeyDriver.BeginSignInAsync(a, parameters);
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(a, "passkeys/sign-in/options", new { request });
        var assertion = authenticator.Assert(publicKey);
        using var verified = await b.PostAsJsonAsync("passkeys/sign-in/verify", new { request, ceremony, credential = assertion });
        using var replayed = await a.PostAsJsonAsync("passkeys/sign-in/verify", new { request, ceremony, credential = assertion });

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        var answer = new Uri((await verified.ReadJsonAsync()).GetProperty("uri").GetString()!);
        using var tokens = await a.RedeemCodeAsync(QueryHelpers.ParseQuery(answer.Query)["code"].ToString(), HostedPasskeyDriver.HostedClientId,
            HostedPasskeyDriver.HostedClientSecret, HostedPasskeyDriver.HostedRedirectUri);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        Assert.Equal("fleet-user", new JsonWebToken((await tokens.ReadJsonAsync()).GetProperty("id_token").GetString()).Subject);

        // A new ceremony for another request, replayed across replicas before anyone finished it: one answer only.
        var second = await HostedPasskeyDriver.BeginSignInAsync(b, HostedPasskeyDriver.AuthorizeParameters());
        var (secondCeremony, secondOptions) = await HostedPasskeyDriver.OptionsAsync(b, "passkeys/sign-in/options", new { request = second });
        var secondAssertion = authenticator.Assert(secondOptions);
        var answers = await Task.WhenAll(
            a.PostAsJsonAsync("passkeys/sign-in/verify", new { request = second, ceremony = secondCeremony, credential = secondAssertion }),
            b.PostAsJsonAsync("passkeys/sign-in/verify", new { request = second, ceremony = secondCeremony, credential = secondAssertion }));
        Assert.Equal(1, answers.Count(response => response.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, answers.Count(response => response.StatusCode == HttpStatusCode.BadRequest));
    }

    /// <summary>A browser at a replica: no cookie jar, the session cookie sent by hand (the fleet is behind TLS at the proxy).</summary>
    private HttpClient Browser(int replica)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _fleet.Addresses[replica] };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return client;
    }

    private static async Task<AuthorizationResponse> SilentAsync(HttpClient client, string cookie)
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["prompt"] = "none";
        using var message = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString("authorize", parameters));
        message.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(message);
        return await OidcProtocol.ParseAsync(response);
    }

    private static async Task<string> SignInAsync(HttpClient client, SoftwareAuthenticator authenticator)
    {
        var request = await HostedPasskeyDriver.BeginSignInAsync(client, HostedPasskeyDriver.AuthorizeParameters());
        using var verified = await HostedPasskeyDriver.SignInAsync(client, request, authenticator);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return verified.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-corbado_session=", StringComparison.Ordinal)).Split(';')[0];
    }

    [Fact]
    public async Task Session_StartedAtOneReplica_AnswersAtTheOther_LogoutAndRevocationEndItEverywhere()
    {
        using var a = Browser(0);
        using var b = Browser(1);
        using var authenticator = new SoftwareAuthenticator("https://login.example.com", "login.example.com");
        var (exit, output) = await _fleet.RunAdminAsync("users", "enrol", "--sub", "fleet-sso");
        Assert.True(exit == 0, output);
        var link = new Uri(output.Trim().Split('\n')[^1].Trim());
        using (var enrolled = await HostedPasskeyDriver.EnrolAsync(a, link, authenticator))
        {
            Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        }

        // Started at A, answered at B; logout at B (id_token_hint from B's code) ends it at A at once.
        var cookie = await SignInAsync(a, authenticator);
        var atB = await SilentAsync(b, cookie);
        Assert.NotNull(atB.Code);
        using var tokens = await b.RedeemCodeAsync(atB.Code!, HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedClientSecret, HostedPasskeyDriver.HostedRedirectUri);
        var idToken = (await tokens.ReadJsonAsync()).GetProperty("id_token").GetString()!;
        using var logout = await b.GetAsync("endsession?id_token_hint=" + idToken);
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        Assert.Equal("login_required", (await SilentAsync(a, cookie)).Error);

        // Started at B, revoked by the command line: refused at both.
        var second = await SignInAsync(b, authenticator);
        Assert.NotNull((await SilentAsync(a, second)).Code);
        var (revokeExit, revoked) = await _fleet.RunAdminAsync("sessions", "revoke", "--sub", "fleet-sso");
        Assert.True(revokeExit == 0, revoked);
        Assert.Contains("1 session(s) ended.", revoked);
        Assert.Equal("login_required", (await SilentAsync(a, second)).Error);
        Assert.Equal("login_required", (await SilentAsync(b, second)).Error);
    }
}
