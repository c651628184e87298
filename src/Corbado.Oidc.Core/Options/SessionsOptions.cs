using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>
/// The identity provider's session (configuration section <c>Sessions</c>, docs/sessions-and-logout.md): what a browser
/// that signed in on the hosted page keeps, so a later authorization request of a single-sign-on client is answered
/// without a new ceremony.
/// </summary>
public sealed class SessionsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Sessions";

    /// <summary>A session unused this long ends. Default 8 hours.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after its ceremony, however busy. Default 7 days.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Start a session from a signedPasskeyData login too (default false: the relying party that holds the proof holds
    /// the session).
    /// </summary>
    public bool StartFromHintLogins { get; set; }
}

/// <summary>Start-up validation of <see cref="SessionsOptions"/>; every message names the setting.</summary>
public sealed class SessionsOptionsValidator : IValidateOptions<SessionsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SessionsOptions options)
    {
        var failures = new List<string>();
        if (options.IdleTimeout < TimeSpan.FromMinutes(1))
        {
            failures.Add("Sessions:IdleTimeout must be at least 00:01:00.");
        }

        if (options.AbsoluteLifetime < options.IdleTimeout || options.AbsoluteLifetime > TimeSpan.FromDays(90))
        {
            failures.Add("Sessions:AbsoluteLifetime must be at least Sessions:IdleTimeout and at most 90.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
