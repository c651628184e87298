using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="AdminOptions"/>.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
        => options.ApiKey is { } key && key.Length < 32
            ? ValidateOptionsResult.Fail("Admin:ApiKey must be at least 32 characters (generate one with: openssl rand -base64 32).")
            : ValidateOptionsResult.Success;
}
