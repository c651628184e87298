using System.Runtime.CompilerServices;
using System.Text.Json;
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
            : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(application.Properties)?.GetValueOrDefault(RequestObjectSecretProtector.ApplicationProperty) is { ValueKind: JsonValueKind.String } value
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
