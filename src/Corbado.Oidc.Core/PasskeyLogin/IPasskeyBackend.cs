namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>The passkey backend's server-side consumption of a signedPasskeyData (docs/login-rules.md §2.4).</summary>
public interface IPasskeyBackend
{
    /// <summary>
    /// Asks the backend to verify and consume the hint for <paramref name="expectedUsername"/>. Never throws for
    /// network, timeout or backend faults: those are <see cref="BackendVerdict.Unavailable"/> (fail closed).
    /// </summary>
    ValueTask<BackendVerdict> ConsumeAsync(string signedPasskeyData, string expectedUsername, CancellationToken cancellationToken);
}
