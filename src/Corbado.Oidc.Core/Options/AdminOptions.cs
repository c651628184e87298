namespace Corbado.Oidc.Core.Options;

/// <summary>The administration HTTP API (configuration section <c>Admin</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Admin";

    /// <summary>
    /// Bearer key for <c>/admin/*</c>, at least 32 characters, never an example value. The API is served only on the
    /// management port (<c>Management:Port</c>), never on the public one. Unset: the administration API is not served at
    /// all (the command line still works).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Requests to <c>/admin/*</c> per client IP per minute, failed ones included (a guessed key costs a request).
    /// Default 60; 1 to 100000. Beyond it: 429 with <c>Retry-After</c>.
    /// </summary>
    public int RequestsPerMinute { get; set; } = 60;
}
