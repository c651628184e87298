using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// Back-channel logout on two replicas of the server binary sharing one PostgreSQL database: a real session (a hint login
/// at one replica with <c>Sessions:StartFromHintLogins</c> for a single-sign-on client, its code redeemed at the other) is ended by the operator's
/// <c>sessions revoke --sid SID</c> (the real revocation path, the command line on the shared database) while the
/// relying party is down, then hangs; the replica holding the delivery is killed mid-request (SIGKILL); the relying party
/// comes back and restarted replicas deliver once, with the same <c>jti</c>, after the dead replica's lease ran out.
/// </summary>
public sealed class BackchannelLogoutFleetTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReplicaKilledMidDelivery_RelyingPartyBackLater_RestartedReplicasDeliverExactlyOnce()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        await using var receiver = new BackchannelLogoutReceiver();
        using var fleet = new ServerFleet(connectionString, 2, new Dictionary<string, string?>
        {
            ["Clients__0__BackchannelLogoutUri"] = receiver.Uri.AbsoluteUri,
            ["Clients__0__SingleSignOn"] = "true",
            ["Sessions__StartFromHintLogins"] = "true",
            ["BackchannelLogout__PollInterval"] = "00:00:00.2",
            ["BackchannelLogout__Timeout"] = "00:00:02",
            ["BackchannelLogout__LeaseDuration"] = "00:00:05",
            ["BackchannelLogout__InitialRetryDelay"] = "00:00:00.2",
            ["BackchannelLogout__MaxRetryDelay"] = "00:00:00.5",
            ["BackchannelLogout__MaxAttempts"] = "100",
        });
        await fleet.StartAllAsync(TimeSpan.FromSeconds(120));
        await using var services = SessionEnds.ServicesFor(fleet.Environment);

        // A session: a hint login at one replica starts it, the code is redeemed at the other.
        using var first = fleet.CreateClient(0);
        using var second = fleet.CreateClient(1);
        var authorization = await first.AuthorizeAsync(fleet.AuthorizeParameters(fleet.Minter.Mint()));
        Assert.NotNull(authorization.Code);
        using var tokens = await fleet.RedeemAsync(second, authorization.Code!);
        var idToken = new JsonWebToken((await tokens.ReadJsonAsync()).GetProperty("id_token").GetString());
        var sid = idToken.GetClaim("sid").Value;
        Assert.False(string.IsNullOrEmpty(sid));

        // The relying party is down when the operator revokes the session: attempts fail and the row stays.
        var (exit, output) = await fleet.RunAdminAsync("sessions", "revoke", "--sid", sid);
        Assert.True(exit == 0, output);
        Assert.Contains("1 session(s) ended.", output);
        await WaitForRowAsync(services, row => row.LastFailure == "network");

        // It comes back but hangs: a replica claims the row and waits on it; it dies there (both die, whichever held it).
        receiver.Delay = TimeSpan.FromMinutes(5);
        await receiver.StartAsync();
        await receiver.WaitUntilAsync(r => r.Requests.Count == 1, Wait, "the request the replica dies in");
        fleet[0]!.Kill();
        fleet[1]!.Kill();
        var held = await SingleRowAsync(services);
        Assert.True(held.DueAt > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "the dead replica's lease holds the row");

        // The relying party works again; both replicas restart and compete for the row once the lease is over.
        receiver.Delay = TimeSpan.Zero;
        await Task.WhenAll(fleet.StartAsync(0, TimeSpan.FromSeconds(120)), fleet.StartAsync(1, TimeSpan.FromSeconds(120)));
        await receiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, Wait, "the delivery after the restart");
        await WaitUntilAsync(async () => await CountAsync(services) == 0, "the delivered row to be deleted");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(receiver.Acknowledged);
        Assert.Null(receiver.Requests[0].Answered);
        var jtis = receiver.Requests.Select(request => new JsonWebToken(request.LogoutToken).Id).Distinct().ToList();
        Assert.Single(jtis);
        Assert.Equal(held.Id, jtis[0]);
        var token = new JsonWebToken(receiver.Acknowledged[0].LogoutToken);
        Assert.Equal(sid, token.GetClaim("sid").Value);
        Assert.Equal(idToken.Subject, token.Subject);
        Assert.Equal([ServerFleet.ClientId], token.Audiences);
    }

    private static async Task<int> CountAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OidcDbContext>().BackchannelLogouts.CountAsync();
    }

    private static async Task<BackchannelLogoutEntry> SingleRowAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OidcDbContext>().BackchannelLogouts.AsNoTracking().SingleAsync();
    }

    private static async Task WaitForRowAsync(IServiceProvider services, Func<BackchannelLogoutEntry, bool> condition)
        => await WaitUntilAsync(async () => condition(await SingleRowAsync(services)), "an outbox row in the expected state");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            await Task.Delay(100);
        }
    }
}
