using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>Lets <c>dotnet ef migrations add … --context PostgreSqlOidcDbContext</c> build the model without a database.</summary>
internal sealed class DesignTimePostgreSqlOidcDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlOidcDbContext>
{
    public PostgreSqlOidcDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgreSqlOidcDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
