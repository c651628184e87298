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

    /// <summary>
    /// Hosted passkey ceremony calls per user per minute (a fixed window), on top of the per-IP limit: sign-in answers
    /// counted against the owner of the passkey they name, enrolment calls against the link's user. Guards one account
    /// against attempts spread over many addresses. Default 30.
    /// </summary>
    public int PasskeyCeremoniesPerUserPerMinute { get; set; } = 30;
}
