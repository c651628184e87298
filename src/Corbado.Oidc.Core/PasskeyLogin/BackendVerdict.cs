namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>The backend's answer about one hint.</summary>
public enum BackendVerdict
{
    /// <summary>HTTP 200 with <c>verificationResult: success</c>.</summary>
    Accepted,

    /// <summary>The backend answered and refused the hint.</summary>
    Rejected,

    /// <summary>No usable answer: timeout, network failure, circuit open, server error or bad credentials.</summary>
    Unavailable,
}
