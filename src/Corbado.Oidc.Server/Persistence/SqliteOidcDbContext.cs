using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>The SQLite model and migrations (Persistence/Migrations/Sqlite).</summary>
public sealed class SqliteOidcDbContext(DbContextOptions<SqliteOidcDbContext> options) : OidcDbContext(options);
