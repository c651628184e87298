using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// Back-channel logout on two replicas of the server binary sharing one PostgreSQL database: the outbox row is written
/// by a test-side unit of work through the registered session-end observers (as <c>sessions revoke</c> does), the
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
            ["BackchannelLogout__PollInterval"] = "00:00:00.2",
            ["BackchannelLogout__Timeout"] = "00:00:02",
            ["BackchannelLogout__LeaseDuration"] = "00:00:05",
            ["BackchannelLogout__InitialRetryDelay"] = "00:00:00.2",
            ["BackchannelLogout__MaxRetryDelay"] = "00:00:00.5",
            ["BackchannelLogout__MaxAttempts"] = "100",
        });
        await fleet.StartAllAsync(TimeSpan.FromSeconds(120));
        await using var services = SessionEnds.ServicesFor(fleet.Environment);

        // The relying party is down when the session ends: attempts fail and the row stays.
        await SessionEnds.EndAsync(services, new EndedSession("fleet-sid", "fleet-user", [ServerFleet.ClientId], SessionEndReason.Revoked));
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
        Assert.Equal("fleet-sid", token.GetClaim("sid").Value);
        Assert.Equal("fleet-user", token.Subject);
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
