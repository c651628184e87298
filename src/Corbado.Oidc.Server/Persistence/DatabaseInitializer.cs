using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Prepares the database before anything uses it: migrations, the keys on first run, then the caller's seed (the clients
/// configured under <c>Clients</c>, see <c>Admin.ConfiguredClientsStartup</c>), idempotently, so any number of
/// replicas can start at once.
/// </summary>
public static class DatabaseInitializer
{
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
}
