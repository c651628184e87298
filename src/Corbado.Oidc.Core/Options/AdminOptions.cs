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

/// <summary>Start-up validation of <see cref="AdminOptions"/>.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
        => options.ApiKey is { } key && key.Length < 32
            ? ValidateOptionsResult.Fail("Admin:ApiKey must be at least 32 characters (generate one with: openssl rand -base64 32).")
            : ValidateOptionsResult.Success;
}
