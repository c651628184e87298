using System.Collections.Concurrent;
using System.Net;
using Corbado.Oidc.Testing;
using Npgsql;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// Issue 13: one of three replicas killed with SIGKILL in the middle of a burst of logins. The other two keep serving
/// without a single failure, the killed one restarts and rejoins with the same keys, and nothing is corrupted: every
/// code it issued before dying is redeemed at most once.
/// </summary>
public sealed class FleetCrashTests
{
    [Fact]
    public async Task SigkillOneReplicaMidBurst_OthersServeWithoutFailure_RestartedOneRejoins()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        using var fleet = new ServerFleet(connectionString, 3);
        await fleet.StartAllAsync(TimeSpan.FromSeconds(120));
        var clients = Enumerable.Range(0, fleet.Count).Select(fleet.CreateClient).ToList();
        var survivorFailures = new ConcurrentQueue<string>();
        var survivorLogins = 0;
        var codesFromVictim = new ConcurrentQueue<string>();
        var keysBefore = await KeyIdsAsync(connectionString);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        // Replicas 1 and 2 serve each other's logins; replica 0 issues codes until it is killed.
        var survivors = Enumerable.Range(0, 2).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                var at = 1 + ((worker + i) % 2);
                var (failure, _) = await FleetLogin.RunAsync(fleet, clients[at], clients[3 - at], clients[at]);
                if (failure is null)
                {
                    Interlocked.Increment(ref survivorLogins);
                }
                else
                {
                    survivorFailures.Enqueue(failure);
                }
            }
        })).ToList();
        var victimWorker = Task.Run(async () =>
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    if ((await clients[0].AuthorizeAsync(fleet.AuthorizeParameters(fleet.Minter.Mint()))).Code is { } code)
                    {
                        codesFromVictim.Enqueue(code);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
                {
                    return;
                }
            }
        });

        await FleetLogin.WaitUntilAsync(() => survivorLogins >= 20 && codesFromVictim.Count >= 10, stop.Token);
        fleet[0]!.Kill();
        var atKill = survivorLogins;
        await FleetLogin.WaitUntilAsync(() => survivorLogins >= atKill + 30, stop.Token);
        await fleet.StartAsync(0, TimeSpan.FromSeconds(120));
        var (rejoinedFailure, _) = await FleetLogin.RunAsync(fleet, clients[0], clients[1], clients[2]);
        await stop.CancelAsync();
        await Task.WhenAll(survivors.Append(victimWorker));

        Assert.Empty(survivorFailures);
        Assert.True(survivorLogins >= atKill + 30, $"only {survivorLogins - atKill} logins after the kill");
        Assert.Null(rejoinedFailure);
        Assert.Equal(await clients[1].GetStringAsync(".well-known/jwks"), await clients[0].GetStringAsync(".well-known/jwks"));
        Assert.Equal(keysBefore, await KeyIdsAsync(connectionString));
        foreach (var code in codesFromVictim)
        {
            // Issued before the kill and never redeemed: once at most, never twice.
            using var first = await fleet.RedeemAsync(clients[1], code);
            using var second = await fleet.RedeemAsync(clients[2], code);
            Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        }

        clients.ForEach(client => client.Dispose());
    }

    private static async Task<List<string>> KeyIdsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Id" FROM "KeyMaterial" ORDER BY "Id" """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

}
