using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Applies the <c>Oidc</c> options and the keys from the database to OpenIddict. Runs when the server options are
/// first needed, after <see cref="DatabaseInitializer"/> has migrated the database and created the keys.
/// </summary>
internal sealed class ConfigureOpenIddictServer(IOptions<OidcOptions> oidcOptions, KeyMaterialStore keys, TimeProvider timeProvider)
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

        var loaded = keys.Load();
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
