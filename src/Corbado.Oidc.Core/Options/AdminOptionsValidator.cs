using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="AdminOptions"/>.</summary>
public sealed class AdminOptionsValidator(IOptions<ManagementOptions> management) : IValidateOptions<AdminOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        if (options.ApiKey is { } key)
        {
            if (key.Length < 32)
            {
                failures.Add("Admin:ApiKey must be at least 32 characters (generate one with: openssl rand -base64 32).");
            }
            else if (ExampleSecrets.IsPlaceholder(key))
            {
                failures.Add(ExampleSecrets.Refusal("Admin:ApiKey"));
            }

            if (!ManagementPortSet())
            {
                failures.Add("Admin:ApiKey is set but Management:Port is not: the admin API is served only on the management port.");
            }
        }

        if (options.RequestsPerMinute is < 1 or > 100_000)
        {
            failures.Add($"Admin:RequestsPerMinute must be between 1 and 100000 (it is {options.RequestsPerMinute}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private bool ManagementPortSet()
    {
        try
        {
            return management.Value.Port is not null;
        }
        catch (OptionsValidationException)
        {
            // An invalid Management section is reported on its own; this one's problems are still listed with it.
            return true;
        }
    }
}
