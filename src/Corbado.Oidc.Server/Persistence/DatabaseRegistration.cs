using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>Registers the provider-specific context behind the shared <see cref="OidcDbContext"/> type.</summary>
public static class DatabaseRegistration
{
    public static IServiceCollection AddOidcDatabase(this IServiceCollection services, DatabaseProvider provider, string connectionString, string? sqliteSynchronous = null)
    {
        switch (provider)
        {
            case DatabaseProvider.PostgreSql:
                services.AddPooledDbContextFactory<PostgreSqlOidcDbContext>(options => options.UseNpgsql(connectionString));
                services.AddSingleton(_ => new PreparedSql(DatabaseProvider.PostgreSql, connectionString, null));
                services.AddSingleton<IDbContextFactory<OidcDbContext>, BaseTypeFactory<PostgreSqlOidcDbContext>>();
                break;
            default:
                EnsureSqliteDirectory(connectionString);
                var tuning = SqliteTuning.FromSetting(sqliteSynchronous);
                services.AddPooledDbContextFactory<SqliteOidcDbContext>(options => options.UseSqlite(connectionString).AddInterceptors(tuning));
                services.AddSingleton(_ => new PreparedSql(DatabaseProvider.Sqlite, connectionString, tuning));
                services.AddSingleton<IDbContextFactory<OidcDbContext>, BaseTypeFactory<SqliteOidcDbContext>>();
                break;
        }

        services.AddScoped<OidcDbContext>(provider => provider.GetRequiredService<IDbContextFactory<OidcDbContext>>().CreateDbContext());
        return services;
    }

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    private sealed class BaseTypeFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<OidcDbContext>
        where TContext : OidcDbContext
    {
        public OidcDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
