using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Corbado.Oidc.Testing;

/// <summary>
/// Ends sessions the way the session code does (Login/Sessions/SessionEnding.cs): every registered
/// <see cref="ISessionEndObserver"/> adds its records to one <see cref="OidcDbContext"/>, then one SaveChanges commits
/// them with the session's end. Back-channel logout tests use it until the session store exists on the same branch.
/// </summary>
public static class SessionEnds
{
    /// <summary>Ends <paramref name="sessions"/> through the observers of <paramref name="services"/> (a server's, or <see cref="ServicesFor"/>).</summary>
    public static async Task EndAsync(IServiceProvider services, params EndedSession[] sessions)
    {
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OidcDbContext>();
        foreach (var observer in scope.ServiceProvider.GetServices<ISessionEndObserver>())
        {
            await observer.SessionsEndingAsync(context, sessions, CancellationToken.None);
        }

        await context.SaveChangesAsync();
    }

    /// <summary>
    /// The services the command line builds (<c>AddCorbadoOidcCore</c>), configured by a server's environment variables
    /// (<c>Section__Name</c>): a test-side unit of work on a fleet's shared database, as <c>sessions revoke</c> would use.
    /// </summary>
    public static ServiceProvider ServicesFor(IReadOnlyDictionary<string, string?> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(pair => new KeyValuePair<string, string?>(pair.Key.Replace("__", ":", StringComparison.Ordinal), pair.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCorbadoOidcCore(configuration, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = Environments.Production });
        return services.BuildServiceProvider();
    }
}
