using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>The administration HTTP API (configuration section <c>Admin</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Admin";

    /// <summary>
    /// Bearer key for <c>/admin/*</c>, at least 32 characters. Unset: the administration API is not served at all
    /// (the command line still works).
    /// </summary>
    public string? ApiKey { get; set; }
}
