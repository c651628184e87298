using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="CorbadoOptions"/>; every message names the setting.</summary>
public sealed class CorbadoOptionsValidator : IValidateOptions<CorbadoOptions>
{
    private readonly bool _isDevelopment;

    /// <param name="isDevelopment">Whether the host runs in the Development environment.</param>
    public CorbadoOptionsValidator(bool isDevelopment) => _isDevelopment = isDevelopment;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CorbadoOptions options)
    {
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ProjectId))
        {
            failures.Add("Corbado:ProjectId is required: set it to the passkey backend project id (for example pro-1234567890).");
        }

        var mode = options.EffectiveVerification;
        // The development issuer is a default of appsettings.Development.json: an explicit key source overrides it
        // rather than conflicting with it (see CorbadoOptions.DevelopmentIssuerInForce).
        var sources = (options.JwksUrl is null ? 0 : 1) + (string.IsNullOrWhiteSpace(options.JwksFile) ? 0 : 1);
        if (sources == 0 && !options.UseDevelopmentIssuer && mode != PasskeyVerificationMode.Remote)
        {
            failures.Add("Corbado:JwksUrl or Corbado:JwksFile is required: the server needs the passkey backend's public keys.");
        }
        else if (sources > 1)
        {
            failures.Add("Set only one of Corbado:JwksUrl and Corbado:JwksFile.");
        }

        if (options.UseDevelopmentIssuer && !_isDevelopment)
        {
            failures.Add("Corbado:UseDevelopmentIssuer is only allowed in the Development environment.");
        }

        if (options.JwksUrl is { } url)
        {
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            {
                failures.Add("Corbado:JwksUrl must be an absolute https URL (plain http only on loopback).");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.JwksFile) && !File.Exists(options.JwksFile))
        {
            failures.Add($"Corbado:JwksFile points to '{options.JwksFile}', which does not exist.");
        }

        if (mode != PasskeyVerificationMode.Local && (options.BackendApiUrl is null || string.IsNullOrEmpty(options.ApiSecret)))
        {
            failures.Add($"Corbado:Verification is {mode}: Corbado:BackendApiUrl and Corbado:ApiSecret are required.");
        }

        if (options.BackendApiUrl is { } backend
            && (!backend.IsAbsoluteUri || (backend.Scheme != Uri.UriSchemeHttps && !(backend.Scheme == Uri.UriSchemeHttp && backend.IsLoopback))))
        {
            failures.Add("Corbado:BackendApiUrl must be an absolute https URL (plain http only on loopback).");
        }

        if (options.RemoteTimeout <= TimeSpan.Zero || options.RemoteTimeout > TimeSpan.FromSeconds(30))
        {
            failures.Add("Corbado:RemoteTimeout must be greater than zero and at most 00:00:30.");
        }

        foreach (var algorithm in options.Algorithms)
        {
            if (!CorbadoOptions.SupportedAlgorithms.Contains(algorithm))
            {
                failures.Add($"Corbado:Algorithms contains '{algorithm}'; allowed are {string.Join(", ", CorbadoOptions.SupportedAlgorithms)}.");
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add("Corbado:ClockSkew must be between 00:00:00 and 00:05:00.");
        }

        if (options.MaxAge <= TimeSpan.Zero || options.MaxAge > TimeSpan.FromHours(1))
        {
            failures.Add("Corbado:MaxAge must be greater than zero and at most 01:00:00.");
        }

        if (string.IsNullOrWhiteSpace(options.SubjectClaim))
        {
            failures.Add("Corbado:SubjectClaim must name a claim of the hint (default webauthnId).");
        }

        if (options.MaxHintLength is < 512 or > 65536)
        {
            failures.Add("Corbado:MaxHintLength must be between 512 and 65536.");
        }

        if (options.JwksCacheDuration < TimeSpan.FromSeconds(1) || options.JwksRefreshInterval < TimeSpan.Zero || options.JwksMaxStale < TimeSpan.Zero)
        {
            failures.Add("Corbado:JwksCacheDuration must be at least one second; Corbado:JwksRefreshInterval and Corbado:JwksMaxStale must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
