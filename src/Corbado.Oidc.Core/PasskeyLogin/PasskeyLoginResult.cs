using System.Diagnostics.CodeAnalysis;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>The outcome of verifying a signedPasskeyData: a login, or a failure with its reason.</summary>
public sealed class PasskeyLoginResult
{
    private PasskeyLoginResult(VerifiedPasskeyLogin? login, PasskeyLoginFailure? failure, string? keyId, string? jtiHash)
    {
        Login = login;
        Failure = failure;
        KeyId = keyId;
        JtiHash = jtiHash;
    }

    /// <summary>The verified login, when <see cref="Succeeded"/>.</summary>
    public VerifiedPasskeyLogin? Login { get; }

    /// <summary>Why the hint was refused, when it was.</summary>
    public PasskeyLoginFailure? Failure { get; }

    /// <summary>The hint's <c>kid</c> as far as it could be read (for logs; attacker-controlled, so truncated).</summary>
    public string? KeyId { get; }

    /// <summary>A hash of issuer and <c>jti</c> as far as they could be read (for logs).</summary>
    public string? JtiHash { get; }

    /// <summary>Whether the hint was accepted.</summary>
    [MemberNotNullWhen(true, nameof(Login))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Login is not null;

    /// <summary>An accepted hint.</summary>
    public static PasskeyLoginResult Success(VerifiedPasskeyLogin login) => new(login, null, login.KeyId, login.JtiHash);

    /// <summary>A refused hint.</summary>
    public static PasskeyLoginResult Fail(PasskeyLoginFailure failure, string? keyId = null, string? jtiHash = null)
        => new(null, failure, keyId, jtiHash);
}
