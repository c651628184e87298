using System.Runtime.CompilerServices;
using System.Text.Json;
using Corbado.Oidc.Server.Handlers;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Persistence;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// A client registration as the fast path needs it: the JSON columns OpenIddict stores (redirect URIs, permissions,
/// requirements) parsed once per cached registration instead of on every request.
/// </summary>
internal sealed class FastPathClient
{
    private static readonly ConditionalWeakTable<OpenIddictEntityFrameworkCoreApplication, FastPathClient> Parsed = [];

    private FastPathClient(OpenIddictEntityFrameworkCoreApplication application)
    {
        Application = application;
        RedirectUris = ReadSet(application.RedirectUris);
        Permissions = ReadSet(application.Permissions);
        var requirements = ReadSet(application.Requirements);
        RequiresPkce = requirements.Contains(Requirements.Features.ProofKeyForCodeExchange);
        ProtectedRequestObjectSecret = string.IsNullOrEmpty(application.Properties) ? null
            : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(application.Properties)?.GetValueOrDefault(ValidateSignedRequestObject.SecretProperty) is { ValueKind: JsonValueKind.String } value
                ? value.GetString() : null;

        // Only what the fast path fully implements; anything else (client keys for private_key_jwt, per-client token
        // lifetimes, other requirements) keeps the client on OpenIddict's pipeline.
        Eligible = string.IsNullOrEmpty(application.JsonWebKeySet)
            && IsEmptyJson(application.Settings)
            && requirements.All(requirement => requirement == Requirements.Features.ProofKeyForCodeExchange)
            && application.ClientType is ClientTypes.Confidential or ClientTypes.Public;
    }

    public OpenIddictEntityFrameworkCoreApplication Application { get; }

    public IReadOnlySet<string> RedirectUris { get; }

    public IReadOnlySet<string> Permissions { get; }

    public bool RequiresPkce { get; }

    /// <summary>The protected secret of a client that opted in to HS256 request objects, else null.</summary>
    public string? ProtectedRequestObjectSecret { get; }

    /// <summary>The HMAC key behind <see cref="ProtectedRequestObjectSecret"/>, once decrypted (see <see cref="FastPathClients.RequestObjectKey"/>).</summary>
    public SecurityKey? RequestObjectKey { get; set; }

    /// <summary>Whether the fast path may issue codes for this client at all.</summary>
    public bool Eligible { get; }

    public bool IsConfidential => Application.ClientType == ClientTypes.Confidential;

    public static FastPathClient For(OpenIddictEntityFrameworkCoreApplication application)
        => Parsed.GetValue(application, static application => new FastPathClient(application));

    /// <summary>OpenIddict's permission for a scope other than openid.</summary>
    public bool MayRequestScope(string scope) => scope == Scopes.OpenId || Permissions.Contains(OpenIddict.Abstractions.OpenIddictConstants.Permissions.Prefixes.Scope + scope);

    private static HashSet<string> ReadSet(string? json)
        => string.IsNullOrEmpty(json) ? [] : new HashSet<string>(JsonSerializer.Deserialize<string[]>(json) ?? [], StringComparer.Ordinal);

    private static bool IsEmptyJson(string? json)
        => string.IsNullOrWhiteSpace(json) || json.Trim() is "{}" or "[]" or "null";
}

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
