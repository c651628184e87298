using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The key-encryption key (<c>Keys:EncryptionKey</c> or <c>Keys:EncryptionKeyFile</c>) and the one scheme that uses it:
/// AES-256-GCM from the BCL, stored as nonce (12 bytes) | ciphertext | tag (16 bytes), with the key's id as associated
/// data so a ciphertext moved to another row does not decrypt. Rows carry the id of the key-encryption key that wrote
/// them (<see cref="Id"/>), so former keys (<c>Keys:PreviousEncryptionKeys</c>) can still read them during a rotation.
/// </summary>
public sealed partial class KeyEncryptionKey
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _current;
    private readonly Dictionary<string, byte[]> _byId;

    public KeyEncryptionKey(IOptions<KeysOptions> options, ILogger<KeyEncryptionKey> logger)
    {
        var settings = options.Value;
        _current = Decode(settings.EncryptionKey ?? ReadOrCreateFile(settings.EncryptionKeyFile, logger));
        Id = IdOf(_current);
        _byId = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [Id] = _current };
        foreach (var previous in settings.PreviousEncryptionKeys)
        {
            var key = Decode(previous);
            _byId.TryAdd(IdOf(key), key);
        }
    }

    /// <summary>
    /// A public fingerprint of the current key-encryption key (first 8 bytes of its SHA-256, hex), stored next to each
    /// protected row; it identifies the key without revealing it.
    /// </summary>
    public string Id { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> for the row <paramref name="keyId"/> under the current key-encryption key.</summary>
    public byte[] Protect(string keyId, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(keyId));
        return output;
    }

    /// <summary>Whether the key-encryption key with this id is configured (current or previous).</summary>
    public bool CanRead(string protectedBy) => _byId.ContainsKey(protectedBy);

    /// <summary>Decrypts a row written by <see cref="Protect"/>; throws <see cref="CryptographicException"/> when it was tampered with or moved.</summary>
    public byte[] Unprotect(string keyId, string protectedBy, byte[] stored)
    {
        if (!_byId.TryGetValue(protectedBy, out var key))
        {
            throw new CryptographicException($"Key '{keyId}' is encrypted under key-encryption key {protectedBy}, which is not configured.");
        }

        if (stored.Length < NonceSize + TagSize)
        {
            throw new CryptographicException($"Key '{keyId}' is not a valid encrypted key.");
        }

        var plaintext = new byte[stored.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(stored.AsSpan(0, NonceSize), stored.AsSpan(NonceSize, plaintext.Length), stored.AsSpan(NonceSize + plaintext.Length), plaintext, Encoding.UTF8.GetBytes(keyId));
        return plaintext;
    }

    /// <summary>A key derived from the key-encryption key for one purpose (HKDF, RFC 5869), never the key itself.</summary>
    public byte[] Derive(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _current, 32, info: Encoding.UTF8.GetBytes(purpose));

    private static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));

    private static byte[] Decode(string value) => Convert.FromBase64String(value.Trim());

    private static string ReadOrCreateFile(string? path, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            return File.ReadAllText(path);
        }

        // Only reached in Development: KeysOptionsValidator requires a configured key everywhere else.
        path = Path.GetFullPath(KeysOptions.DevelopmentKeyFile);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(path, Encoding.ASCII, options);
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeysOptionsValidator.KeySize)));
                LogDevelopmentKeyGenerated(logger, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; read theirs.
            }
        }

        return File.ReadAllText(path);
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Development: generated a key-encryption key at {Path}; configure Keys:EncryptionKey or Keys:EncryptionKeyFile outside Development")]
    private static partial void LogDevelopmentKeyGenerated(ILogger logger, string path);
}
