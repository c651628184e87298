using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace Corbado.Oidc.Server.Clients;

/// <summary>
/// OpenIddict's application manager, remembering for a few minutes which (stored hash, presented secret) pairs
/// verified. OpenIddict stores client secrets as PBKDF2-SHA256 with 10,000 iterations, which costs milliseconds of
/// CPU on every token request — more than the whole cryptographic floor of a login. The stored form stays PBKDF2;
/// only successful checks are remembered, keyed by an HMAC (per-process random key) of the stored hash and the
/// secret, so no secret is kept and a rotated secret (new stored hash) misses the cache at once, on every replica.
/// Failed attempts are never cached: guessing still pays PBKDF2 and meets the rate limiter.
/// </summary>
public sealed class VerifiedSecretCachingApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    VerifiedSecretCache verified,
    ClientPolicies clients)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    /// <summary>
    /// OpenIddict's own entity cache lives for one request; every /authorize and /token would query the client.
    /// Registrations change rarely, so lookups by client id are kept for <c>Oidc:ClientCacheDuration</c>.
    /// </summary>
    public override async ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        if (clients.TryGetCached(identifier) is { } policy)
        {
            return policy.Application;
        }

        var application = await base.FindByClientIdAsync(identifier, cancellationToken);
        if (application is not null)
        {
            await clients.RememberAsync(this, application, cancellationToken);
        }

        return application;
    }

    public override async ValueTask UpdateAsync(OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        clients.Forget(application.ClientId);
        await base.UpdateAsync(application, cancellationToken);
        clients.Forget(application.ClientId);
    }

    public override async ValueTask DeleteAsync(OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        clients.Forget(application.ClientId);
        await base.DeleteAsync(application, cancellationToken);
        clients.Forget(application.ClientId);
    }

    protected override async ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default)
    {
        if (verified.IsKnownGood(comparand, secret))
        {
            return true;
        }

        var valid = await base.ValidateClientSecretAsync(secret, comparand, cancellationToken);
        if (valid)
        {
            verified.Remember(comparand, secret);
        }

        return valid;
    }
}
