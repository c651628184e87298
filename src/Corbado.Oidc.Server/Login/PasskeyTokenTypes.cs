namespace Corbado.Oidc.Server.Login;

/// <summary>Token type identifiers of this server (RFC 8693 §3).</summary>
public static class PasskeyTokenTypes
{
    /// <summary>The <c>subject_token_type</c> of a signedPasskeyData exchanged at /token (docs/native-apps.md).</summary>
    public const string SignedPasskeyData = "urn:corbado:params:oauth:token-type:signed_passkey_data";
}
