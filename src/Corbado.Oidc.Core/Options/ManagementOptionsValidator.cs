using System.Net;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="ManagementOptions"/>.</summary>
public sealed class ManagementOptionsValidator : IValidateOptions<ManagementOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ManagementOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Management:Port must be between 1 and 65535 (it is {options.Port}).");
        }

        if (!IPAddress.TryParse(options.Host, out _) && options.Host is not ("localhost" or "*" or "+"))
        {
            failures.Add($"Management:Host must be an IP address (for example 127.0.0.1 or 0.0.0.0), not '{options.Host}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
