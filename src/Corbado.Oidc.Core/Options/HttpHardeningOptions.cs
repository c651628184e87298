using System.Net;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Request limits on the protocol endpoints (configuration section <c>RateLimiting</c>).</summary>
public sealed class RateLimitingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "RateLimiting";

    /// <summary>Whether limits apply. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>/authorize</c> requests per client IP per minute (browsers; bursts of a tenth of a minute). Default 300, generous
    /// enough for users behind one NAT.
    /// </summary>
    public int AuthorizePerIpPerMinute { get; set; } = 300;

    /// <summary>
    /// <c>/token</c> requests per client id per minute. Back channels come from a few RP egress IPs, so the limit is per
    /// client, not per IP. Default 6000.
    /// </summary>
    public int TokenPerClientPerMinute { get; set; } = 6000;
}

/// <summary>Reverse proxies whose <c>X-Forwarded-For</c>/<c>-Proto</c> are trusted (configuration section <c>ForwardedHeaders</c>).</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy addresses, for example <c>10.0.0.5</c>. Loopback is always trusted.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, for example <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

/// <summary>Start-up validation of <see cref="RateLimitingOptions"/> and <see cref="ForwardedHeadersSettings"/>.</summary>
public sealed class HttpHardeningOptionsValidator : IValidateOptions<RateLimitingOptions>, IValidateOptions<ForwardedHeadersSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
        => options.AuthorizePerIpPerMinute < 1 || options.TokenPerClientPerMinute < 1
            ? ValidateOptionsResult.Fail("RateLimiting:AuthorizePerIpPerMinute and RateLimiting:TokenPerClientPerMinute must be at least 1 (set RateLimiting:Enabled=false to turn limits off).")
            : ValidateOptionsResult.Success;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
    {
        var failures = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).Select(p => $"ForwardedHeaders:KnownProxies has '{p}', which is not an IP address.")
            .Concat(options.KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)).Select(n => $"ForwardedHeaders:KnownNetworks has '{n}', which is not a CIDR network.")).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
