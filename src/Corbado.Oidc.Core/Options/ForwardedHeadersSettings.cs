using System.Net;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

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
