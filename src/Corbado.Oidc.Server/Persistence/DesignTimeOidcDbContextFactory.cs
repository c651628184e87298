using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the server.</summary>
internal sealed class DesignTimeOidcDbContextFactory : IDesignTimeDbContextFactory<OidcDbContext>
{
    public OidcDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<OidcDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
