using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Admin;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Runs before the server accepts requests: applies migrations, creates the keys on first run and seeds the clients
/// configured under <c>Clients</c>, idempotently, so any number of replicas can start at once.
/// </summary>
public sealed partial class DatabaseInitializer(
    IServiceProvider services,
    IOptions<List<ClientRegistration>> configuredClients,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clients = configuredClients.Value;
        await InitializeAsync(services, cancellationToken, async ct =>
        {
            await using var scope = services.CreateAsyncScope();
            var registrar = scope.ServiceProvider.GetRequiredService<ClientRegistrar>();
            foreach (var client in clients)
            {
                var created = await registrar.UpsertAsync(client, ct);
                LogClientSeeded(logger, client.ClientId, created ? "created" : "updated");
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Migrates the database, makes sure the server's keys exist and then runs <paramref name="seed"/>, all under the
    /// <see cref="DatabaseLock"/>: replicas starting at once take turns, and each later one finds the schema,
    /// the keys and the clients the first one wrote (no unique-key violation, one key set).
    /// </summary>
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken, Func<CancellationToken, Task>? seed = null)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<OidcDbContext>>();
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        try
        {
            if (context.Database.IsSqlite())
            {
                await context.Database.ExecuteSqlRawAsync(SqliteTuning.WalPragma, cancellationToken);
            }

            await using var held = await DatabaseLock.AcquireAsync(context, cancellationToken);
            await context.Database.MigrateAsync(cancellationToken);
            await services.GetRequiredService<KeyMaterialStore>().EnsureKeysAsync(cancellationToken);
            if (seed is not null)
            {
                await seed(cancellationToken);
            }
        }
        catch (Exception exception) when (exception is DbException or DbUpdateException)
        {
            throw DatabaseUnusableException.From(context.Database.GetDbConnection(), exception);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Client {ClientId} from configuration {Outcome}")]
    private static partial void LogClientSeeded(ILogger logger, string clientId, string outcome);
}
