using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Keeps a recoverable copy of a client secret, for the one feature that needs it: HS256 request objects, which the
/// client signs with its secret (OIDC Core §10.1). Off unless a client opts in. AES-256-GCM under a key derived with
/// HKDF from the server's request-object key (<see cref="KeyMaterialStore.RequestObjectSecretUse"/>), which is itself
/// stored encrypted under the key-encryption key: a database dump alone reveals none of these secrets. RS256 request
/// objects (the client's own key pair) are still preferred: they need no secret kept at all.
/// </summary>
public sealed class RequestObjectSecretProtector(KeyRing keys)
{
    /// <summary>The application property holding the protected secret of a client that opted in to HS256 request objects.</summary>
    public const string ApplicationProperty = "corbado:request_object_secret";

    private static readonly byte[] Info = Encoding.UTF8.GetBytes("corbado-oidc/request-object-secret/v1");
    private readonly Lazy<byte[]> _key = new(() =>
    {
        var material = keys.Current.RequestObjectSecretKey ?? throw new InvalidOperationException("The request-object key is not stored yet.");
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, info: Info);
    });

    public string Protect(string secret)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var output = new byte[AesGcm.NonceByteSizes.MaxSize + plaintext.Length + AesGcm.TagByteSizes.MaxSize];
        var nonce = output.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(nonce.Length, plaintext.Length), output.AsSpan(nonce.Length + plaintext.Length));
        return Convert.ToBase64String(output);
    }

    /// <summary>The secret, or null when the value cannot be decrypted (tampered, or written under other keys).</summary>
    public string? Unprotect(string protectedSecret)
    {
        try
        {
            var input = Convert.FromBase64String(protectedSecret);
            var nonceSize = AesGcm.NonceByteSizes.MaxSize;
            var tagSize = AesGcm.TagByteSizes.MaxSize;
            var plaintext = new byte[input.Length - nonceSize - tagSize];
            using var aes = new AesGcm(_key.Value, tagSize);
            aes.Decrypt(input.AsSpan(0, nonceSize), input.AsSpan(nonceSize, plaintext.Length), input.AsSpan(nonceSize + plaintext.Length), plaintext);
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception exception) when (exception is FormatException or CryptographicException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The key of an HS256/384/512 request object: OIDC Core §10.1, the octets of the UTF-8 representation of the client secret.</summary>
    public static SymmetricSecurityKey HmacKey(string secret) => new(Encoding.UTF8.GetBytes(secret));
}
