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
    ClientPolicies clients,
    ClientKeySets keySets)
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

    /// <summary>A key set registered inline, else the one at the client's <c>JwksUri</c> (<see cref="ClientKeySets"/>).</summary>
    public override async ValueTask<Microsoft.IdentityModel.Tokens.JsonWebKeySet?> GetJsonWebKeySetAsync(
        OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        if (await base.GetJsonWebKeySetAsync(application, cancellationToken) is { } inline)
        {
            return inline;
        }

        var properties = await GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(ClientRegistrationNames.JwksUriProperty, out var uri) && uri.ValueKind == System.Text.Json.JsonValueKind.String
            ? await keySets.GetAsync(application.ClientId ?? "", uri.GetString()!, cancellationToken)
            : null;
    }

    /// <summary>
    /// OpenIddict's validation, except that a confidential client whose keys are registered by URL passes its "secret or
    /// keys" check (OpenIddict looks only at the stored set): the URL is fetched when the client authenticates, not while
    /// it is registered.
    /// </summary>
    public override async IAsyncEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> ValidateAsync(
        OpenIddictEntityFrameworkCoreApplication application, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var keysByUrl = (await GetPropertiesAsync(application, cancellationToken)).ContainsKey(ClientRegistrationNames.JwksUriProperty);
        await foreach (var result in base.ValidateAsync(application, cancellationToken))
        {
            if (keysByUrl && result.ErrorMessage == MissingCredentialsMessage.Value)
            {
                continue;
            }

            yield return result;
        }
    }

    private static readonly Lazy<string?> MissingCredentialsMessage = new(() =>
        new System.Resources.ResourceManager("OpenIddict.Abstractions.OpenIddictResources", typeof(OpenIddictResources).Assembly)
            .GetString(OpenIddictResources.ID2113, System.Globalization.CultureInfo.CurrentUICulture));

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
