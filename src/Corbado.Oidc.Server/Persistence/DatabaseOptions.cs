using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The database settings: section <c>Database</c> and <c>ConnectionStrings:Oidc</c>. Read as text so that a wrong
/// value is reported at start-up with the other configuration problems, not thrown while services are registered.
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Database";

    /// <summary>The SQLite database used when <c>ConnectionStrings:Oidc</c> is not set.</summary>
    public const string DefaultConnectionString = "Data Source=data/corbado-oidc.db";

    /// <summary><c>Sqlite</c> (default) or <c>PostgreSql</c>.</summary>
    public string? Provider { get; set; }

    /// <summary>SQLite's <c>synchronous</c> pragma: <c>Normal</c> (default) or <c>Full</c>.</summary>
    public string? SqliteSynchronous { get; set; }

    /// <summary><c>ConnectionStrings:Oidc</c>; required for PostgreSQL.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Reads the settings without validating them.</summary>
    public static DatabaseOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString = configuration.GetConnectionString("Oidc");
        return options;
    }

    /// <summary>The provider named by <see cref="Provider"/>, or <c>null</c> when it names none.</summary>
    public DatabaseProvider? EffectiveProvider
        => string.IsNullOrWhiteSpace(Provider) ? DatabaseProvider.Sqlite
            : Enum.GetValues<DatabaseProvider>().Cast<DatabaseProvider?>()
                .FirstOrDefault(provider => string.Equals(provider.ToString(), Provider.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>SQLite's <c>synchronous</c> mode in force: <see cref="SqliteSynchronous"/>, or <c>Normal</c>.</summary>
    public string EffectiveSqliteSynchronous => string.IsNullOrWhiteSpace(SqliteSynchronous) ? "Normal" : SqliteSynchronous;

    /// <summary>The connection string in force: <see cref="ConnectionString"/>, or the SQLite default.</summary>
    public string EffectiveConnectionString => string.IsNullOrWhiteSpace(ConnectionString) ? DefaultConnectionString : ConnectionString;
}
