namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The stored keys cannot be decrypted with the configured key-encryption key (a wrong or missing
/// <c>Keys:EncryptionKey</c>, or tampered rows). The server refuses to start rather than mint new keys that relying
/// parties do not know; the message names the setting and never a key.
/// </summary>
public sealed class KeyMaterialUnreadableException : Exception
{
    public KeyMaterialUnreadableException(string message) : base(message)
    {
    }

    public KeyMaterialUnreadableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
