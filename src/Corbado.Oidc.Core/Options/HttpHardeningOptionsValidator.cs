using System.Net;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="RateLimitingOptions"/> and <see cref="ForwardedHeadersSettings"/>.</summary>
public sealed class HttpHardeningOptionsValidator : IValidateOptions<RateLimitingOptions>, IValidateOptions<ForwardedHeadersSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
        => options.AuthorizePerIpPerMinute < 1 || options.TokenPerClientPerMinute < 1 || options.PasskeyCeremoniesPerUserPerMinute < 1
            ? ValidateOptionsResult.Fail("RateLimiting:AuthorizePerIpPerMinute, RateLimiting:TokenPerClientPerMinute and RateLimiting:PasskeyCeremoniesPerUserPerMinute must be at least 1 (set RateLimiting:Enabled=false to turn limits off).")
            : ValidateOptionsResult.Success;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
    {
        var failures = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).Select(p => $"ForwardedHeaders:KnownProxies has '{p}', which is not an IP address.")
            .Concat(options.KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)).Select(n => $"ForwardedHeaders:KnownNetworks has '{n}', which is not a CIDR network.")).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
