using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Runs before the server accepts requests: prepares the database (<see cref="DatabaseInitializer"/>) and, under the
/// same lock, registers the clients configured under <c>Clients</c>, idempotently, so any number of replicas can start
/// at once.
/// </summary>
public sealed partial class ConfiguredClientsStartup(
    IServiceProvider services,
    IOptions<List<ClientRegistration>> configuredClients,
    ILogger<ConfiguredClientsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clients = configuredClients.Value;
        await DatabaseInitializer.InitializeAsync(services, cancellationToken, async ct =>
        {
            await using var scope = services.CreateAsyncScope();
            var registrar = scope.ServiceProvider.GetRequiredService<ClientRegistrar>();
            foreach (var client in clients)
            {
                var created = await registrar.UpsertAsync(client, ct);
                LogClientSeeded(logger, client.ClientId, created ? "created" : "updated");
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Client {ClientId} from configuration {Outcome}")]
    private static partial void LogClientSeeded(ILogger logger, string clientId, string outcome);
}
