using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Persistence;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// Client lookups and secret checks for the fast path: from the process-wide caches when they know the answer, else
/// through OpenIddict's application manager (which fills them). The manager is request-scoped and costs a database
/// context to build, so it is only resolved on a cache miss.
/// </summary>
internal sealed class FastPathClients(RegisteredClientCache registered, VerifiedSecretCache verified, RequestObjectSecretProtector secrets)
{
    public async ValueTask<FastPathClient?> FindAsync(HttpContext context, string clientId)
    {
        if (registered.TryGet(clientId, out var cached) && cached is not null)
        {
            return FastPathClient.For(cached);
        }

        var applications = context.RequestServices.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.FindByClientIdAsync(clientId, context.RequestAborted) is OpenIddictEntityFrameworkCoreApplication application
            ? FastPathClient.For(application)
            : null;
    }

    /// <summary>
    /// The key that verifies the client's request objects with <paramref name="algorithm"/>: only an HS algorithm's key
    /// (the client secret, for clients that opted in), decrypted once per cached registration. A client with its own
    /// keys is not eligible for the fast path at all, so RS and ES objects are OpenIddict's.
    /// </summary>
    public SecurityKey? RequestObjectKey(FastPathClient client, string algorithm)
    {
        if (!SignedRequestObject.SymmetricAlgorithms.Contains(algorithm) || client.ProtectedRequestObjectSecret is not { } protectedSecret)
        {
            return null;
        }

        return client.RequestObjectKey ??= secrets.Unprotect(protectedSecret) is { } secret ? RequestObjectSecretProtector.HmacKey(secret) : null;
    }

    /// <summary>The client's secret check (confidential clients only), as OpenIddict makes it.</summary>
    public async ValueTask<bool> ValidateSecretAsync(HttpContext context, FastPathClient client, string secret)
    {
        if (client.Application.ClientSecret is { } comparand && verified.IsKnownGood(comparand, secret))
        {
            return true;
        }

        var applications = context.RequestServices.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.ValidateClientSecretAsync(client.Application, secret, context.RequestAborted);
    }
}
