using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteOidcDbContext</c> build the model without starting the server.</summary>
internal sealed class DesignTimeSqliteOidcDbContextFactory : IDesignTimeDbContextFactory<SqliteOidcDbContext>
{
    public SqliteOidcDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteOidcDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
