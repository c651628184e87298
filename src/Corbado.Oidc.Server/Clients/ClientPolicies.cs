using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace Corbado.Oidc.Server.Clients;

/// <summary>
/// The one read model of client registrations: <see cref="ClientPolicy"/> by client id, kept for
/// <c>Oidc:ClientCacheDuration</c> (a change made by another process, the command line or another replica, is seen after
/// at most that long; one made through this process's application manager at once). OpenIddict's application manager
/// answers its client lookups from here too (<see cref="VerifiedSecretCachingApplicationManager"/>), so every door sees
/// the same registration. The manager is request-scoped and costs a database context to build: it is only resolved on
/// a miss.
/// </summary>
public sealed class ClientPolicies(IServiceScopeFactory scopes, IOptions<OidcOptions> options, RequestObjectSecretProtector secrets, VerifiedSecretCache verified)
    : IRegisteredClients, IDisposable
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>The client's policy, or null when no such client is registered.</summary>
    public async ValueTask<ClientPolicy?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        if (TryGetCached(clientId) is { } cached)
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.FindByClientIdAsync(clientId, cancellationToken) is OpenIddictEntityFrameworkCoreApplication application
            ? TryGetCached(clientId) ?? await RememberAsync(applications, application, cancellationToken)
            : null;
    }

    /// <summary>The cached policy, without a database read; null when it is not cached (or not registered).</summary>
    public ClientPolicy? TryGetCached(string clientId) => _entries.TryGetValue(clientId, out ClientPolicy? policy) ? policy : null;

    /// <inheritdoc />
    public bool IsRegistered(string clientId) => TryGetCached(clientId) is not null;

    /// <summary>Reads and caches the policy of an application the manager found.</summary>
    public async ValueTask<ClientPolicy> RememberAsync(IOpenIddictApplicationManager applications, OpenIddictEntityFrameworkCoreApplication application,
        CancellationToken cancellationToken)
    {
        var policy = await ClientPolicy.ReadAsync(applications, application, options.Value.RefreshTokenLifetime, cancellationToken);
        var duration = options.Value.ClientCacheDuration;
        if (duration > TimeSpan.Zero)
        {
            _entries.Set(policy.ClientId, policy, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = duration });
        }

        return policy;
    }

    public void Forget(string? clientId)
    {
        if (clientId is not null)
        {
            _entries.Remove(clientId);
        }
    }

    /// <summary>
    /// The client's secret check (confidential clients only), as OpenIddict makes it (PBKDF2 through the application
    /// manager), answered from <see cref="VerifiedSecretCache"/> when this pair verified minutes ago: the one client
    /// authentication of every door that authenticates a client itself.
    /// </summary>
    public async ValueTask<bool> ValidateSecretAsync(ClientPolicy client, string secret, CancellationToken cancellationToken)
    {
        if (!client.IsConfidential)
        {
            return false;
        }

        if (client.Application.ClientSecret is { } comparand && verified.IsKnownGood(comparand, secret))
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.ValidateClientSecretAsync(client.Application, secret, cancellationToken);
    }

    /// <summary>
    /// The HMAC key that verifies the client's HS request objects (the client secret, for clients that opted in),
    /// decrypted once per cached registration; null for every other client.
    /// </summary>
    public SecurityKey? RequestObjectKey(ClientPolicy client)
    {
        if (client.ProtectedRequestObjectSecret is not { } protectedSecret)
        {
            return null;
        }

        return client.RequestObjectKey ??= secrets.Unprotect(protectedSecret) is { } secret ? RequestObjectSecretProtector.HmacKey(secret) : null;
    }

    public void Dispose() => _entries.Dispose();
}
