namespace Corbado.Oidc.Server.Persistence;

/// <summary>What a handle in <see cref="GrantHandleStore"/> is.</summary>
public enum GrantHandleKind
{
    /// <summary>An authorization code (RFC 6749 §4.1.2): single use, short-lived.</summary>
    AuthorizationCode,

    /// <summary>A refresh token (RFC 6749 §6): single use too, rotated at every use (RFC 9700 §4.14.2).</summary>
    RefreshToken,
}
