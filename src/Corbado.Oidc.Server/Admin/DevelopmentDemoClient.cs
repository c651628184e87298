using System.Security.Cryptography;
using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Development only: on the first start with no clients, registers a <c>demo</c> client whose redirect URI is this
/// server's own demo callback, and prints its generated secret once on the console (never to the log).
/// </summary>
public sealed class DevelopmentDemoClient(IServiceProvider services, IHostEnvironment environment, IOptions<OidcOptions> oidc) : IHostedService
{
    public const string ClientId = "demo";

    /// <summary>The demo client's redirect URI on this server (answered by the development endpoints).</summary>
    public const string CallbackPath = "/demo/callback";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() || oidc.Value.Issuer is not { } issuer)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.CountAsync(cancellationToken) > 0)
        {
            return;
        }

        var (secret, redirectUri) = await RegisterAsync(scope.ServiceProvider, issuer, cancellationToken);
        Console.WriteLine($"""

            Development demo client registered (shown once; `dev demo-client` re-keys it):
              client_id     = {ClientId}
              client_secret = {secret}
              redirect_uri  = {redirectUri}

            """);
    }

    /// <summary>
    /// Registers the demo client, or gives it a new secret when it exists (the previous secret stops working).
    /// Returns the secret, which is stored hashed only, and the redirect URI.
    /// </summary>
    public static async Task<(string Secret, string RedirectUri)> RegisterAsync(IServiceProvider scopedServices, Uri issuer, CancellationToken cancellationToken)
    {
        var secret = ClientSecrets.Generate();
        var redirectUri = new Uri(issuer, CallbackPath.TrimStart('/')).AbsoluteUri;
        await scopedServices.GetRequiredService<ClientRegistrar>().UpsertAsync(new ClientRegistration
        {
            ClientId = ClientId,
            ClientSecret = secret,
            RedirectUris = [redirectUri],
            DisplayName = "Demo client (Development)",
        }, cancellationToken);
        return (secret, redirectUri);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
