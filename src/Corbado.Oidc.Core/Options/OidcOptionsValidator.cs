using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="OidcOptions"/>; every message names the setting.</summary>
public sealed class OidcOptionsValidator : IValidateOptions<OidcOptions>
{
    private readonly bool _isDevelopment;

    /// <param name="isDevelopment">Whether the host runs in the Development environment.</param>
    public OidcOptionsValidator(bool isDevelopment) => _isDevelopment = isDevelopment;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OidcOptions options)
    {
        var failures = new List<string>();
        if (options.Issuer is not { IsAbsoluteUri: true } issuer)
        {
            failures.Add("Oidc:Issuer is required: set it to the public URL relying parties use, for example https://login.example.com/.");
        }
        else
        {
            if (issuer.Scheme != Uri.UriSchemeHttps && !(_isDevelopment && issuer.Scheme == Uri.UriSchemeHttp))
            {
                failures.Add("Oidc:Issuer must use https outside the Development environment (terminate TLS at Kestrel or at a proxy).");
            }

            if (!string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment))
            {
                failures.Add("Oidc:Issuer must not contain a query or fragment (OpenID Connect Discovery §3).");
            }
        }

        if (options.AuthorizationCodeLifetime <= TimeSpan.Zero || options.AuthorizationCodeLifetime > TimeSpan.FromMinutes(10))
        {
            failures.Add("Oidc:AuthorizationCodeLifetime must be greater than zero and at most 00:10:00 (RFC 6749 §4.1.2).");
        }

        if (options.AccessTokenLifetime <= TimeSpan.Zero || options.IdentityTokenLifetime <= TimeSpan.Zero)
        {
            failures.Add("Oidc:AccessTokenLifetime and Oidc:IdentityTokenLifetime must be greater than zero.");
        }

        if (string.IsNullOrWhiteSpace(options.Acr))
        {
            failures.Add("Oidc:Acr must not be empty.");
        }

        if (options.ClientCacheDuration < TimeSpan.Zero || options.ClientCacheDuration > TimeSpan.FromMinutes(10))
        {
            failures.Add("Oidc:ClientCacheDuration must be between 00:00:00 and 00:10:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
