using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// What a client's registration allows beyond the login itself: refresh tokens and their lifetime. Read through
/// OpenIddict's application manager (whose registrations are cached), and only when a grant asks for
/// <c>offline_access</c>, so the common login pays nothing for it.
/// </summary>
internal sealed class ClientGrantPolicies(IServiceScopeFactory scopes, IOptions<OidcOptions> oidc)
{
    /// <summary>The application property holding a client's refresh-token lifetime in seconds.</summary>
    public const string RefreshTokenLifetimeProperty = "corbado:refresh_token_lifetime";

    /// <summary>The client's refresh-token lifetime, or null when it may not have refresh tokens.</summary>
    public async Task<TimeSpan?> RefreshTokenLifetimeAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not { } application
            || !await applications.HasPermissionAsync(application, Permissions.GrantTypes.RefreshToken, cancellationToken))
        {
            return null;
        }

        return (await applications.GetPropertiesAsync(application, cancellationToken)).TryGetValue(RefreshTokenLifetimeProperty, out var seconds)
            && seconds.ValueKind == JsonValueKind.Number
            ? TimeSpan.FromSeconds(seconds.GetInt64())
            : oidc.Value.RefreshTokenLifetime;
    }
}
