using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>Finds the passkey backend's public key for a <c>kid</c>, only from the configured key source.</summary>
public interface IPasskeyKeyResolver
{
    /// <summary>The key with this <c>kid</c>, or <c>null</c> when the configured key set does not hold it.</summary>
    ValueTask<SecurityKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a usable key set is held now (readiness). After <see cref="FindKeyAsync"/> returned <c>null</c>,
    /// <c>false</c> means no key set could be obtained, rather than an unknown <c>kid</c>.
    /// </summary>
    bool HasKeys { get; }
}
