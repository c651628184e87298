namespace Corbado.Oidc.Core.Options;

/// <summary>
/// Delivery of OpenID Connect Back-Channel Logout 1.0 logout tokens from the outbox (configuration section
/// <c>BackchannelLogout</c>; docs/sessions-and-logout.md, "Back-channel logout").
/// </summary>
public sealed class BackchannelLogoutOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "BackchannelLogout";

    /// <summary>How long one POST to a relying party's back-channel logout URI may take; a slower answer is a failed attempt. Default 5 s; above zero, at most 1 minute.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per logout token before it is abandoned (metric, warning and audit event). Default 12; 1 to 100.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>A logout not delivered this long after the session ended is abandoned, whatever the attempts. Default 1 day; above zero.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The wait after the first failed attempt; doubled after each further one (with jitter), up to <see cref="MaxRetryDelay"/>. Default 5 s; above zero.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts. Default 10 minutes; at least <see cref="InitialRetryDelay"/>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often every replica looks for due deliveries (a logout ended on this replica wakes its sender at once; this
    /// finds those of other replicas, retries and leases of replicas that died). Default 5 s; 100 ms to 5 minutes.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a replica holds a delivery it claimed: another replica takes it over only after this, so a replica that
    /// dies mid-delivery loses nothing. Default 1 minute; more than twice <see cref="Timeout"/>, at most 1 hour.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Lifetime of a logout token (<c>exp</c> minus <c>iat</c>); minted at each attempt. Default 2 minutes; above zero, at most 10 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Deliveries in flight at once per replica (a slow relying party holds one of them, never a login). Default 8; 1 to 256.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;
}
