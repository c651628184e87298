using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="PasskeysOptions"/>; every message names the setting.</summary>
public sealed class PasskeysOptionsValidator : IValidateOptions<PasskeysOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PasskeysOptions options)
    {
        var failures = new List<string>();
        if (!PasskeysOptions.UserVerificationValues.Contains(options.UserVerification))
        {
            failures.Add("Passkeys:UserVerification must be required, preferred or discouraged.");
        }

        if (options.CeremonyLifetime <= TimeSpan.Zero || options.CeremonyLifetime > TimeSpan.FromMinutes(10))
        {
            failures.Add("Passkeys:CeremonyLifetime must be greater than zero and at most 00:10:00.");
        }

        if (options.SignInLifetime < options.CeremonyLifetime || options.SignInLifetime > TimeSpan.FromHours(1))
        {
            failures.Add("Passkeys:SignInLifetime must be at least Passkeys:CeremonyLifetime and at most 01:00:00.");
        }

        foreach (var origin in options.Origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var parsed) || parsed.AbsolutePath != "/" || origin.EndsWith('/')
                || !(parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback)))
            {
                failures.Add($"Passkeys:Origins: '{origin}' must be an origin (https://host[:port], no path; http only on loopback).");
            }
            else if (options.RpId is { Length: > 0 } rpId && !IsRegistrableSuffix(parsed.Host, rpId))
            {
                // WebAuthn Level 3 §5.1.4.1: the RP ID must be the origin's effective domain or a registrable suffix of it.
                failures.Add($"Passkeys:RpId '{rpId}' is not the host of '{origin}' nor a parent domain of it.");
            }
        }

        if (options.RpId is { } id && (id.Length == 0 || id.Contains('/') || id.Contains(':') || id.StartsWith('.') || id.EndsWith('.')))
        {
            failures.Add("Passkeys:RpId must be a bare domain name, for example example.com.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Whether <paramref name="rpId"/> is <paramref name="host"/> or a parent domain of it.</summary>
    public static bool IsRegistrableSuffix(string host, string rpId)
        => string.Equals(host, rpId, StringComparison.OrdinalIgnoreCase)
            || host.EndsWith("." + rpId, StringComparison.OrdinalIgnoreCase);
}
