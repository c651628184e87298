using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="BackchannelLogoutOptions"/>.</summary>
public sealed class BackchannelLogoutOptionsValidator : IValidateOptions<BackchannelLogoutOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BackchannelLogoutOptions options)
    {
        var failures = new List<string>();
        const string Section = BackchannelLogoutOptions.SectionName;
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:Timeout must be above zero and at most 00:01:00 (it is {options.Timeout}).");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            failures.Add($"{Section}:MaxAttempts must be between 1 and 100 (it is {options.MaxAttempts}).");
        }

        if (options.MaxAge <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:MaxAge must be above zero (it is {options.MaxAge}).");
        }

        if (options.InitialRetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:InitialRetryDelay must be above zero (it is {options.InitialRetryDelay}).");
        }

        if (options.MaxRetryDelay < options.InitialRetryDelay)
        {
            failures.Add($"{Section}:MaxRetryDelay must be at least {Section}:InitialRetryDelay (it is {options.MaxRetryDelay}).");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(100) || options.PollInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Section}:PollInterval must be between 00:00:00.1 and 00:05:00 (it is {options.PollInterval}).");
        }

        // A lease that ran out while its delivery was still waiting for the relying party would let a second replica
        // deliver the same token at the same time.
        if (options.LeaseDuration <= options.Timeout * 2 || options.LeaseDuration > TimeSpan.FromHours(1))
        {
            failures.Add($"{Section}:LeaseDuration must be more than twice {Section}:Timeout and at most 01:00:00 (it is {options.LeaseDuration}).");
        }

        if (options.TokenLifetime <= TimeSpan.Zero || options.TokenLifetime > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{Section}:TokenLifetime must be above zero and at most 00:10:00 (it is {options.TokenLifetime}).");
        }

        if (options.MaxConcurrentDeliveries is < 1 or > 256)
        {
            failures.Add($"{Section}:MaxConcurrentDeliveries must be between 1 and 256 (it is {options.MaxConcurrentDeliveries}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
