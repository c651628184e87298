using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>The PostgreSQL model and migrations (Persistence/Migrations/PostgreSql).</summary>
public sealed class PostgreSqlOidcDbContext(DbContextOptions<PostgreSqlOidcDbContext> options) : OidcDbContext(options);
