using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>The database engines the server runs on (<c>Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>The embedded default: one process, one file.</summary>
    Sqlite,

    /// <summary>Production: many stateless replicas share one database.</summary>
    PostgreSql,
}
