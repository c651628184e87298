using System.Data.Common;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The database cannot be opened, migrated or written at start-up (read-only file, full disk, server down, wrong
/// credentials). The message names the database by data source and name only, never by connection string.
/// </summary>
public sealed class DatabaseUnusableException(string message, Exception innerException) : Exception(message, innerException)
{
    public static DatabaseUnusableException From(DbConnection connection, Exception exception)
    {
        var cause = exception is Microsoft.EntityFrameworkCore.DbUpdateException ? exception.InnerException ?? exception : exception;
        var name = string.IsNullOrEmpty(connection.Database) || connection.Database == "main"
            ? $"'{connection.DataSource}'"
            : $"'{connection.Database}' at '{connection.DataSource}'";
        return new DatabaseUnusableException(
            $"the database {name} cannot be opened or written ({cause.Message.TrimEnd('.')}). "
            + "Check that the file and its folder are writable by the server's user and the disk is not full, "
            + "or that the database server is reachable with the configured credentials.", exception);
    }
}
