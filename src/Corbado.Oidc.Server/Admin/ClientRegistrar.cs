using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Admin;

/// <summary>Creates or updates relying-party registrations (from configuration seeding and from the command line).</summary>
public sealed class ClientRegistrar(IOpenIddictApplicationManager applications, Persistence.RequestObjectSecretProtector secrets)
{
    /// <summary>Creates the client, or updates it when the client id exists. Returns true when it was created.</summary>
    public async Task<bool> UpsertAsync(ClientRegistration registration, CancellationToken cancellationToken)
    {
        var errors = Validate(registration);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(registration));
        }

        var descriptor = ToDescriptor(registration);
        if (registration.AllowSymmetricRequestObjects && !string.IsNullOrEmpty(registration.ClientSecret))
        {
            descriptor.Properties[RequestObjectSecretProtector.ApplicationProperty] =
                System.Text.Json.JsonSerializer.SerializeToElement(secrets.Protect(registration.ClientSecret));
        }

        var existing = await applications.FindByClientIdAsync(registration.ClientId, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
            return true;
        }

        await applications.UpdateAsync(existing, descriptor, cancellationToken);
        return false;
    }

    /// <summary>Removes the client. Returns false when it did not exist.</summary>
    public async Task<bool> RemoveAsync(string clientId, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (existing is null)
        {
            return false;
        }

        await applications.DeleteAsync(existing, cancellationToken);
        return true;
    }

    /// <summary>Lists client ids, display names and redirect URIs.</summary>
    public async IAsyncEnumerable<(string ClientId, string? DisplayName, string? ClientType, IReadOnlyList<string> RedirectUris)> ListAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            yield return (
                await applications.GetClientIdAsync(application, cancellationToken) ?? "",
                await applications.GetDisplayNameAsync(application, cancellationToken),
                await applications.GetClientTypeAsync(application, cancellationToken),
                await applications.GetRedirectUrisAsync(application, cancellationToken));
        }
    }

    /// <summary>Problems with a registration, each naming the field; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(ClientRegistration registration)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(registration.ClientId))
        {
            errors.Add("ClientId is required.");
        }

        if (registration.RedirectUris.Count == 0 && !registration.AllowPasskeyVerification && !registration.AllowPasskeyEnrolment
            && !registration.AllowTokenExchange)
        {
            errors.Add($"Client '{registration.ClientId}': at least one RedirectUris entry is required.");
        }

        if (registration.HostedPasskeyLogin && registration.RedirectUris.Count == 0)
        {
            errors.Add($"Client '{registration.ClientId}': HostedPasskeyLogin needs RedirectUris (the page answers the relying party there).");
        }

        foreach (var uri in registration.PostLogoutRedirectUris)
        {
            // On Unix "/path" parses as an absolute file: URI; a post-logout target is a web address.
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(parsed.Fragment))
            {
                errors.Add($"Client '{registration.ClientId}': PostLogoutRedirectUris entry '{uri}' must be an absolute http(s) URI without a fragment.");
            }
        }

        if (registration.AllowPasskeyVerification && string.IsNullOrEmpty(registration.ClientSecret))
        {
            errors.Add($"Client '{registration.ClientId}': AllowPasskeyVerification needs a client secret.");
        }

        if (registration.AllowPasskeyEnrolment && string.IsNullOrEmpty(registration.ClientSecret))
        {
            errors.Add($"Client '{registration.ClientId}': AllowPasskeyEnrolment needs a client secret.");
        }

        if ((registration.AllowTokenExchange || registration.AllowRefreshTokens) && string.IsNullOrEmpty(registration.ClientSecret)
            && string.IsNullOrEmpty(registration.Jwks) && string.IsNullOrEmpty(registration.JwksUri))
        {
            errors.Add($"Client '{registration.ClientId}': AllowTokenExchange and AllowRefreshTokens need a client secret or keys (client authentication is required).");
        }

        if (registration.AllowSymmetricRequestObjects && string.IsNullOrEmpty(registration.ClientSecret))
        {
            errors.Add($"Client '{registration.ClientId}': AllowSymmetricRequestObjects needs a client secret.");
        }

        if (!string.IsNullOrEmpty(registration.Jwks) && !string.IsNullOrEmpty(registration.JwksUri))
        {
            errors.Add($"Client '{registration.ClientId}': set Jwks or JwksUri, not both.");
        }

        if (!string.IsNullOrEmpty(registration.Jwks))
        {
            try
            {
                if (new Microsoft.IdentityModel.Tokens.JsonWebKeySet(registration.Jwks).Keys.Count == 0)
                {
                    errors.Add($"Client '{registration.ClientId}': Jwks holds no key.");
                }
            }
            catch (ArgumentException)
            {
                errors.Add($"Client '{registration.ClientId}': Jwks is not a JWKS document.");
            }
        }

        if (!string.IsNullOrEmpty(registration.JwksUri) && !(Uri.TryCreate(registration.JwksUri, UriKind.Absolute, out var jwksUri)
            && (jwksUri.Scheme == Uri.UriSchemeHttps || (jwksUri.Scheme == Uri.UriSchemeHttp && jwksUri.IsLoopback))))
        {
            errors.Add($"Client '{registration.ClientId}': JwksUri must be an absolute https URL (http only on loopback).");
        }

        if ((registration.Audiences.Count > 0 || registration.Resources.Count > 0) && !registration.AllowTokenExchange)
        {
            errors.Add($"Client '{registration.ClientId}': Audiences and Resources apply to the token exchange; set AllowTokenExchange too.");
        }

        foreach (var resource in registration.Resources)
        {
            // RFC 8707 §2: a resource indicator is an absolute URI without a fragment.
            if (!Uri.TryCreate(resource, UriKind.Absolute, out var parsed) || !string.IsNullOrEmpty(parsed.Fragment))
            {
                errors.Add($"Client '{registration.ClientId}': resource '{resource}' must be an absolute URI without a fragment.");
            }
        }

        foreach (var uri in registration.RedirectUris)
        {
            // RFC 6749 §3.1.2: absolute, no fragment; OIDC Core: https except for loopback native clients.
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !string.IsNullOrEmpty(parsed.Fragment)
                || (parsed.Scheme != Uri.UriSchemeHttps && !(parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback)))
            {
                errors.Add($"Client '{registration.ClientId}': redirect URI '{uri}' must be an absolute https URL without a fragment (http only on loopback).");
            }
        }

        if (registration.BackchannelLogoutUri is { } logoutUri
            && (!Uri.TryCreate(logoutUri, UriKind.Absolute, out var parsedLogoutUri) || !string.IsNullOrEmpty(parsedLogoutUri.Fragment)
                || (parsedLogoutUri.Scheme != Uri.UriSchemeHttps && !(parsedLogoutUri.Scheme == Uri.UriSchemeHttp && parsedLogoutUri.IsLoopback))))
        {
            // Back-Channel Logout 1.0 §2.2: an absolute URI without a fragment; https as for redirect URIs.
            errors.Add($"Client '{registration.ClientId}': BackchannelLogoutUri '{logoutUri}' must be an absolute https URL without a fragment (http only on loopback).");
        }

        if (registration.BackchannelLogoutSessionRequired && string.IsNullOrEmpty(registration.BackchannelLogoutUri))
        {
            errors.Add($"Client '{registration.ClientId}': BackchannelLogoutSessionRequired needs a BackchannelLogoutUri.");
        }

        return errors;
    }

    private static OpenIddictApplicationDescriptor ToDescriptor(ClientRegistration registration)
    {
        // A key set by URL is not fetched here: it is read when the client first needs it (Clients.ClientKeySets), so a
        // relying party's key-set outage never stops the server from starting.
        var keys = string.IsNullOrEmpty(registration.Jwks) ? null : new Microsoft.IdentityModel.Tokens.JsonWebKeySet(registration.Jwks);
        var isPublic = string.IsNullOrEmpty(registration.ClientSecret) && keys is null && string.IsNullOrEmpty(registration.JwksUri);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = registration.ClientId,
            ClientSecret = string.IsNullOrEmpty(registration.ClientSecret) ? null : registration.ClientSecret,
            JsonWebKeySet = keys,
            ClientType = isPublic ? ClientTypes.Public : ClientTypes.Confidential,
            ApplicationType = ApplicationTypes.Web,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = registration.DisplayName ?? registration.ClientId,
        };

        if (!string.IsNullOrEmpty(registration.JwksUri))
        {
            descriptor.Properties[Clients.ClientRegistrationNames.JwksUriProperty] = System.Text.Json.JsonSerializer.SerializeToElement(registration.JwksUri);
        }

        foreach (var uri in registration.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        descriptor.Permissions.UnionWith([Permissions.Scopes.Email, Permissions.Scopes.Profile]);
        if (registration.RedirectUris.Count > 0)
        {
            descriptor.Permissions.UnionWith(
            [
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code,
            ]);
        }

        if (registration.AllowPasskeyVerification)
        {
            descriptor.Permissions.Add(Clients.ClientRegistrationNames.PasskeyVerificationPermission);
        }

        if (registration.AllowPasskeyEnrolment)
        {
            descriptor.Permissions.Add(Clients.ClientRegistrationNames.PasskeyEnrolmentPermission);
        }

        if (registration.HostedPasskeyLogin)
        {
            descriptor.Permissions.Add(Clients.ClientRegistrationNames.HostedPasskeyLoginPermission);
        }

        if (registration.EffectiveSingleSignOn)
        {
            descriptor.Permissions.Add(Clients.ClientRegistrationNames.SingleSignOnPermission);
        }

        descriptor.PostLogoutRedirectUris.UnionWith(registration.PostLogoutRedirectUris.Select(uri => new Uri(uri, UriKind.Absolute)));

        if (registration.AllowTokenExchange)
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.TokenExchange]);
            descriptor.Permissions.UnionWith(registration.Audiences.Select(audience => Permissions.Prefixes.Audience + audience));
            descriptor.Permissions.UnionWith(registration.Resources.Select(resource => Permissions.Prefixes.Resource + resource));
        }

        if (registration.AllowRefreshTokens)
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.GrantTypes.RefreshToken]);
            if (registration.RefreshTokenLifetime is { } lifetime)
            {
                descriptor.Properties[Clients.ClientRegistrationNames.RefreshTokenLifetimeProperty] =
                    System.Text.Json.JsonSerializer.SerializeToElement((long)lifetime.TotalSeconds);
            }
        }

        if (!string.IsNullOrEmpty(registration.BackchannelLogoutUri))
        {
            descriptor.Properties[Clients.ClientRegistrationNames.BackchannelLogoutUriProperty] =
                System.Text.Json.JsonSerializer.SerializeToElement(registration.BackchannelLogoutUri);
            descriptor.Properties[Clients.ClientRegistrationNames.BackchannelLogoutSessionRequiredProperty] =
                System.Text.Json.JsonSerializer.SerializeToElement(registration.BackchannelLogoutSessionRequired);
        }

        // PKCE is mandatory for public clients (RFC 9700 §2.1.1) and optional per confidential client.
        if (isPublic || registration.RequirePkce)
        {
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        return descriptor;
    }
}
