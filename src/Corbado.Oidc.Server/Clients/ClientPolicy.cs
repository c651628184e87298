using System.Collections.Frozen;
using System.Text.Json;
using Corbado.Oidc.Server.Persistence;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Clients;

/// <summary>
/// A client's registration as every door reads it: built once per cached registration from OpenIddict's application
/// manager (never from its storage format), so the fast door, OpenIddict's door, the verify API, the login core and the
/// rate limiter all see the same client (see <see cref="ClientPolicies"/>).
/// </summary>
public sealed class ClientPolicy
{
    private ClientPolicy(OpenIddictEntityFrameworkCoreApplication application, string clientId, string? clientType, FrozenSet<string> redirectUris,
        FrozenSet<string> permissions, FrozenSet<string> requirements, bool hasKeys, TimeSpan? refreshTokenLifetime, string? protectedRequestObjectSecret,
        Uri? backchannelLogoutUri, bool backchannelLogoutSessionRequired)
    {
        BackchannelLogoutUri = backchannelLogoutUri;
        BackchannelLogoutSessionRequired = backchannelLogoutSessionRequired;
        Application = application;
        ClientId = clientId;
        IsConfidential = clientType == ClientTypes.Confidential;
        RedirectUris = redirectUris;
        Permissions = permissions;
        RequiresPkce = requirements.Contains(Requirements.Features.ProofKeyForCodeExchange);
        RefreshTokenLifetime = refreshTokenLifetime;
        ProtectedRequestObjectSecret = protectedRequestObjectSecret;
        Scopes = permissions.Where(permission => permission.StartsWith(OpenIddictConstants.Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(permission => permission[OpenIddictConstants.Permissions.Prefixes.Scope.Length..]).ToFrozenSet(StringComparer.Ordinal);

        // What the fast door fully implements: client keys (private_key_jwt) and requirements other than PKCE keep a
        // client on OpenIddict's pipeline.
        FastPathEligible = !hasKeys && requirements.All(requirement => requirement == Requirements.Features.ProofKeyForCodeExchange)
            && clientType is ClientTypes.Confidential or ClientTypes.Public;
    }

    /// <summary>OpenIddict's entity, for the application manager's own calls (secret validation).</summary>
    public OpenIddictEntityFrameworkCoreApplication Application { get; }

    public string ClientId { get; }

    public bool IsConfidential { get; }

    public IReadOnlySet<string> RedirectUris { get; }

    public IReadOnlySet<string> Permissions { get; }

    /// <summary>Where the end-session endpoint may send the browser after a logout (RP-Initiated Logout 1.0 §3), compared exactly.</summary>
    public IReadOnlySet<string> PostLogoutRedirectUris { get; private init; } = FrozenSet<string>.Empty;

    /// <summary>The scopes the client may request besides <c>openid</c> (its <c>scp:</c> permissions).</summary>
    public IReadOnlySet<string> Scopes { get; }

    public bool RequiresPkce { get; }

    /// <summary>The refresh-token lifetime of a client allowed refresh tokens; null when it may have none.</summary>
    public TimeSpan? RefreshTokenLifetime { get; }

    /// <summary>Whether the client may call the verify API.</summary>
    public bool MayVerifyPasskeys => Permissions.Contains(ClientRegistrationNames.PasskeyVerificationPermission);

    /// <summary>Whether the client may ask for passkey enrolment and management links for its users.</summary>
    public bool MayEnrolPasskeys => Permissions.Contains(ClientRegistrationNames.PasskeyEnrolmentPermission);

    /// <summary>Whether requests without a signedPasskeyData go to the hosted passkey page (docs/hosted-passkeys.md).</summary>
    public bool HostedPasskeyLogin => Permissions.Contains(ClientRegistrationNames.HostedPasskeyLoginPermission);

    /// <summary>Whether a live identity-provider session answers this client's requests (docs/sessions-and-logout.md).</summary>
    public bool SingleSignOn => Permissions.Contains(ClientRegistrationNames.SingleSignOnPermission);

    /// <summary>Whether the fast door may answer for this client at all.</summary>
    public bool FastPathEligible { get; }

    /// <summary>The protected secret of a client that opted in to HS256 request objects, else null.</summary>
    public string? ProtectedRequestObjectSecret { get; }

    /// <summary>Where the client takes logout tokens (Back-Channel Logout 1.0), or null when it registered none.</summary>
    public Uri? BackchannelLogoutUri { get; }

    /// <summary>Whether the client requires <c>sid</c> in its logout tokens (every logout token of ours carries it).</summary>
    public bool BackchannelLogoutSessionRequired { get; }

    /// <summary>The HMAC key behind <see cref="ProtectedRequestObjectSecret"/>, once decrypted (see <see cref="ClientPolicies.RequestObjectKey"/>).</summary>
    internal SecurityKey? RequestObjectKey { get; set; }

    /// <summary>OpenIddict's rule for a requested scope: <c>openid</c>, or one the client holds a permission for.</summary>
    public bool MayRequestScope(string scope) => scope == OpenIddictConstants.Scopes.OpenId || Scopes.Contains(scope);

    /// <summary>Reads a registration through the application manager.</summary>
    public static async ValueTask<ClientPolicy> ReadAsync(IOpenIddictApplicationManager applications, OpenIddictEntityFrameworkCoreApplication application,
        TimeSpan defaultRefreshTokenLifetime, CancellationToken cancellationToken)
    {
        var permissions = (await applications.GetPermissionsAsync(application, cancellationToken)).ToFrozenSet(StringComparer.Ordinal);
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        TimeSpan? refreshTokenLifetime = !permissions.Contains(OpenIddictConstants.Permissions.GrantTypes.RefreshToken) ? null
            : properties.TryGetValue(ClientRegistrationNames.RefreshTokenLifetimeProperty, out var seconds) && seconds.ValueKind == JsonValueKind.Number
                ? TimeSpan.FromSeconds(seconds.GetInt64())
                : defaultRefreshTokenLifetime;
        var protectedSecret = properties.TryGetValue(RequestObjectSecretProtector.ApplicationProperty, out var secret) && secret.ValueKind == JsonValueKind.String
            ? secret.GetString()
            : null;
        var backchannelLogoutUri = properties.TryGetValue(ClientRegistrationNames.BackchannelLogoutUriProperty, out var logoutUri)
            && logoutUri.ValueKind == JsonValueKind.String && Uri.TryCreate(logoutUri.GetString(), UriKind.Absolute, out var parsedLogoutUri)
                ? parsedLogoutUri
                : null;
        var sessionRequired = properties.TryGetValue(ClientRegistrationNames.BackchannelLogoutSessionRequiredProperty, out var required)
            && required.ValueKind == JsonValueKind.True;
        return new ClientPolicy(
            application,
            await applications.GetClientIdAsync(application, cancellationToken) ?? throw new InvalidOperationException("A client without a client id."),
            await applications.GetClientTypeAsync(application, cancellationToken),
            (await applications.GetRedirectUrisAsync(application, cancellationToken)).ToFrozenSet(StringComparer.Ordinal),
            permissions,
            (await applications.GetRequirementsAsync(application, cancellationToken)).ToFrozenSet(StringComparer.Ordinal),
            properties.ContainsKey(ClientRegistrationNames.JwksUriProperty)
                || await applications.GetJsonWebKeySetAsync(application, cancellationToken) is { Keys.Count: > 0 },
            refreshTokenLifetime,
            protectedSecret,
            backchannelLogoutUri,
            sessionRequired)
        {
            PostLogoutRedirectUris = (await applications.GetPostLogoutRedirectUrisAsync(application, cancellationToken)).ToFrozenSet(StringComparer.Ordinal),
        };
    }
}
