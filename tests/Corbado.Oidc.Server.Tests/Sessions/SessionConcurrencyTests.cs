using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.Sessions;

/// <summary>
/// The clients a session served (whose back-channel logouts depend on that list) under concurrency, on SQLite and on
/// PostgreSQL: in each round a fresh session, then at the same moment a code issued within it for one client
/// (<see cref="IdpSessions.UsedAsync"/>), a code for a second client, and a ceremony on the hosted page for a third
/// (<see cref="IdpSessions.SignedInAsync"/>'s refresh of the same user's session). Every client must be recorded: an
/// update that wrote back the list it had read lost the others' clients.
/// </summary>
public sealed class SessionConcurrencyTests
{
    private const string Subject = "concurrent-user";
    private const int Rounds = 60;

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task CodesAndCeremonyForDifferentClientsAtOnce_EveryClientRecorded(string provider)
    {
        var connectionString = provider == "PostgreSql" ? await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync() : null;
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            if (connectionString is not null)
            {
                settings["Database:Provider"] = "PostgreSql";
                settings["ConnectionStrings:Oidc"] = connectionString;
            }
        });
        var sessions = factory.Services.GetRequiredService<IdpSessions>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        for (var round = 0; round < Rounds; round++)
        {
            var (handle, started) = await sessions.SignedInAsync(null, Subject, factory.Clock.GetUtcNow(), ["pop"], "rp-0", bound.Token);
            var session = await sessions.FindAsync(handle, bound.Token);
            Assert.NotNull(session);

            // Threads released together: the three updates read the same list and write at once.
            using var gate = new Barrier(3);
            await Task.WhenAll(
                Task.Run(async () =>
                {
                    gate.SignalAndWait(bound.Token);
                    await sessions.UsedAsync(handle, session, "rp-1", bound.Token);
                }),
                Task.Run(async () =>
                {
                    gate.SignalAndWait(bound.Token);
                    await sessions.UsedAsync(handle, session, "rp-2", bound.Token);
                }),
                Task.Run(async () =>
                {
                    gate.SignalAndWait(bound.Token);
                    await sessions.SignedInAsync(handle, Subject, factory.Clock.GetUtcNow(), ["pop", "user"], "rp-3", bound.Token);
                }));

            var recorded = (await sessions.FindAsync(handle, bound.Token))!;
            Assert.Equal(started.Sid, recorded.Sid);
            Assert.True(recorded.ClientIds.Order(StringComparer.Ordinal).SequenceEqual(["rp-0", "rp-1", "rp-2", "rp-3"]),
                $"round {round}: recorded {string.Join(' ', recorded.ClientIds)}");
        }
    }
}
