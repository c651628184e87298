using System.Net;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>
/// The management listener (configuration section <c>Management</c>): <c>/metrics</c>, <c>/health/live</c> and
/// <c>/health/ready</c> on a port of their own, which the public listener never serves and a firewall or network policy
/// keeps away from the internet.
/// </summary>
public sealed class ManagementOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Management";

    /// <summary>The management port, for example 9090. Unset: no management listener and no metrics pipeline at all.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// The address the management port binds to. Default <c>127.0.0.1</c> (only a local agent can scrape); containers set
    /// <c>0.0.0.0</c> explicitly so Prometheus and the kubelet can reach it.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";
}
