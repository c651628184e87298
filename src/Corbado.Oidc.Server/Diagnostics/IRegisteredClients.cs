namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>Which client ids belong to registered clients, without a database read (for bounded metric labels).</summary>
public interface IRegisteredClients
{
    bool IsRegistered(string clientId);
}
