using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// Starts a fresh Corbado.Oidc server on real Kestrel on a loopback port (Development, http issuer, real clock) with
/// one extra confidential client for the relying party under test.
/// </summary>
internal static class LoopbackOidcServer
{
    public static CorbadoOidcServerFactory Start(string clientId, string clientSecret, Uri redirectUri, Action<Dictionary<string, string?>>? configure = null,
        string host = "127.0.0.1", Action<IServiceCollection>? services = null)
    {
        var port = LoopbackPorts.Free();
        var server = new CorbadoOidcServerFactory(settings =>
        {
            settings["Clients:2:ClientId"] = clientId;
            settings["Clients:2:ClientSecret"] = clientSecret;
            settings["Clients:2:RedirectUris:0"] = redirectUri.AbsoluteUri;
            configure?.Invoke(settings);
        }, environment: "Development", issuer: $"http://{host}:{port}/")
        {
            // Relying parties validate exp/iat against the real clock.
            ConfigureServices = collection =>
            {
                collection.AddSingleton(TimeProvider.System);
                services?.Invoke(collection);
            },
        };
        server.UseKestrel(port);
        server.StartServer();
        return server;
    }

    /// <summary>Stores a user profile, as an operator's import would, so that profile claims can be released.</summary>
    public static Task SeedProfileAsync(this CorbadoOidcServerFactory server, UserProfile profile)
        => server.Services.GetRequiredService<EfUserProfileStore>().UpsertAsync([profile], CancellationToken.None);
}
