using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// Three replicas of the server binary started at the same moment on an empty PostgreSQL database, as a Deployment
/// with three replicas starts on its first install. Shared by <see cref="ReplicaFleetTests"/>; every test mints its own hints.
/// </summary>
public sealed class FleetStartFixture : IAsyncLifetime
{
    public ServerFleet Fleet { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    /// <summary>Why the start failed, if it did (each test then reports it instead of hiding it in a fixture error).</summary>
    public Exception? StartFailure { get; private set; }

    public async Task InitializeAsync()
    {
        ConnectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        Fleet = new ServerFleet(ConnectionString, 3);
        try
        {
            await Fleet.StartAllAsync(TimeSpan.FromSeconds(120));
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
            StartFailure = exception;
        }
    }

    public Task DisposeAsync()
    {
        Fleet.Dispose();
        return Task.CompletedTask;
    }
}
