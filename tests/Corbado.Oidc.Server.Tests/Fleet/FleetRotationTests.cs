using System.Collections.Concurrent;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// Issue 13: <c>keys rotate</c> on the command line while logins run continuously across three replicas on PostgreSQL.
/// The new key is published by every replica (re-read every second here) before any of them signs with it (a
/// five-second lead time here): not a single login fails, and every ID token verifies against the JWKS whichever
/// replica serves at that moment.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class FleetRotationTests
{
    [Fact]
    public async Task RotateDuringContinuousLogins_ZeroFailures_EveryIdTokenVerifiesAgainstAnyReplicasJwks()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        using var fleet = new ServerFleet(connectionString, 3, new Dictionary<string, string?>
        {
            ["Keys__RefreshInterval"] = "00:00:01",
            // Long enough for every replica to re-read the ring (every 1 s) even on a loaded two-core CI machine.
            ["Keys__RotationLeadTime"] = "00:00:20",
        });
        await fleet.StartAllAsync(TimeSpan.FromSeconds(120));
        var clients = Enumerable.Range(0, fleet.Count).Select(fleet.CreateClient).ToList();
        var failures = new ConcurrentQueue<string>();
        var kids = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(150));

        var workers = Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            // Bounded in count and in time (the stop token).
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                var at = (worker + i) % clients.Count;
                var (failure, kid) = await FleetLogin.RunAsync(fleet, clients[at], clients[(at + 1) % clients.Count], clients[(at + 2) % clients.Count]);
                if (failure is not null)
                {
                    failures.Enqueue(failure);
                }

                if (kid is not null)
                {
                    kids.Enqueue(kid);
                }
            }
        })).ToList();

        await FleetLogin.WaitUntilAsync(() => kids.Count >= 15, stop.Token);
        var firstKid = kids.First();
        var (exitCode, output) = await fleet.RunAdminAsync("keys", "rotate");
        await FleetLogin.WaitUntilAsync(() => kids.Count(k => k != firstKid) >= 30, stop.Token);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        clients.ForEach(client => client.Dispose());

        Assert.True(exitCode == 0, output);
        Assert.Empty(failures);
        Assert.Equal(2, kids.Distinct().Count());
        Assert.True(kids.Count(k => k != firstKid) >= 30, $"only {kids.Count(k => k != firstKid)} logins were signed with the new key");
    }

}
