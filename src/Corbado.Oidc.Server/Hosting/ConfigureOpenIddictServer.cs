using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Applies the <c>Oidc</c> options and the <see cref="KeyRing"/> to OpenIddict. Runs when the server options are
/// first needed, after <see cref="Admin.ConfiguredClientsStartup"/> has migrated the database and created the keys, and again
/// whenever the key ring changes (<see cref="KeyRingChangeTokenSource"/>), so the JWKS and token validation follow
/// rotations without restart.
/// </summary>
internal sealed class ConfigureOpenIddictServer(IOptions<OidcOptions> oidcOptions, KeyRing keys, TimeProvider timeProvider)
    : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var oidc = oidcOptions.Value;
        options.Issuer = oidc.Issuer;
        options.AuthorizationCodeLifetime = oidc.AuthorizationCodeLifetime;
        options.AccessTokenLifetime = oidc.AccessTokenLifetime;
        options.IdentityTokenLifetime = oidc.IdentityTokenLifetime;
        options.TimeProvider = timeProvider;

        // Every key not yet expired: pending ones are published before they sign, retired ones until their tokens expire.
        // Which key signs is decided by the key set itself (LoginTokenWriter), not by this list's order.
        var loaded = keys.Current;
        foreach (var credentials in loaded.Signing)
        {
            options.SigningCredentials.Add(credentials);
        }

        foreach (var credentials in loaded.Encryption)
        {
            options.EncryptionCredentials.Add(credentials);
        }
    }
}
