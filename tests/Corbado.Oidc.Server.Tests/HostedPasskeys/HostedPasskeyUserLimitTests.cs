using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// docs/hosted-passkeys.md: the ceremony endpoints are limited per user (<c>RateLimiting:PasskeyCeremoniesPerUserPerMinute</c>)
/// besides the per-IP limit: the N+1st call for one user within a minute is 429 with Retry-After, another user's is not.
/// </summary>
public sealed class HostedPasskeyUserLimitTests : IDisposable
{
    private const int PerUser = 6;
    private readonly CorbadoOidcServerFactory _factory = new(settings =>
    {
        HostedPasskeyDriver.AddHostedClient(settings);
        settings["RateLimiting:PasskeyCeremoniesPerUserPerMinute"] = PerUser.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The per-IP limit out of the way: every call here comes from the same address.
        settings["RateLimiting:AuthorizePerIpPerMinute"] = "100000";
    });

    private readonly HttpClient _client;
    private readonly SoftwareAuthenticator _alice = new("https://localhost", "localhost");
    private readonly SoftwareAuthenticator _bob = new("https://localhost", "localhost");

    public HostedPasskeyUserLimitTests() => _client = _factory.CreateProtocolClient();

    public void Dispose()
    {
        _client.Dispose();
        _alice.Dispose();
        _bob.Dispose();
        _factory.Dispose();
    }

    // prompt=login: every attempt a ceremony, though the first one started a session in this client's cookies.
    private async Task<HttpResponseMessage> SignInAsync(SoftwareAuthenticator authenticator)
        => await HostedPasskeyDriver.SignInAsync(_client, await HostedPasskeyDriver.BeginSignInAsync(_client,
            new Dictionary<string, string?>(HostedPasskeyDriver.AuthorizeParameters()) { ["prompt"] = "login" }), authenticator);

    [Fact]
    public async Task SignIn_OneUsersCallsBeyondTheLimit_429_AnotherUserStillSignsIn()
    {
        // Each enrolment makes two ceremony calls (options, verify) counted against its user.
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, "alice", _alice);
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, "bob", _bob);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < PerUser - 2 + 1; i++)
        {
            using var response = await SignInAsync(_alice);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("temporarily_unavailable", (await response.ReadJsonAsync()).GetProperty("error").GetString());
            }
        }

        using var bob = await SignInAsync(_bob);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, PerUser - 2), HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    [Fact]
    public async Task Enrol_OneLinksCallsBeyondTheLimit_429_AnotherUsersLinkNot()
    {
        var carol = await HostedPasskeyDriver.NewEnrolmentTokenAsync(_factory, "carol");
        var dave = await HostedPasskeyDriver.NewEnrolmentTokenAsync(_factory, "dave");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < PerUser + 1; i++)
        {
            using var response = await HostedPasskeyDriver.PostAsync(_client, "passkeys/enrol/options", new { token = carol });
            statuses.Add(response.StatusCode);
        }

        using var other = await HostedPasskeyDriver.PostAsync(_client, "passkeys/enrol/options", new { token = dave });

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, PerUser), HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
