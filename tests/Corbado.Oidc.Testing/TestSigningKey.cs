using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Testing;

/// <summary>A passkey-issuer key generated per test (RS256 by default, or ES256).</summary>
public sealed class TestSigningKey : IDisposable
{
    private TestSigningKey(string keyId, string algorithm, RSA? rsa, ECDsa? ecdsa)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        Rsa = rsa;
        Ecdsa = ecdsa;
    }

    public string KeyId { get; }
    public string Algorithm { get; }
    public RSA? Rsa { get; }
    public ECDsa? Ecdsa { get; }

    public static TestSigningKey CreateRsa(string? keyId = null) =>
        new(keyId ?? "pki-" + RandomNumberGenerator.GetHexString(16, lowercase: true), "RS256", RSA.Create(2048), null);

    public static TestSigningKey CreateEcdsa(string? keyId = null) =>
        new(keyId ?? "pki-ec-" + RandomNumberGenerator.GetHexString(16, lowercase: true), "ES256", null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Signs the JWS signing input with this key's algorithm.</summary>
    public byte[] Sign(byte[] signingInput) => Rsa is not null
        ? Rsa.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        : Ecdsa!.SignData(signingInput, HashAlgorithmName.SHA256);

    /// <summary>The public key as a JWK object.</summary>
    public Dictionary<string, object> ToPublicJwk()
    {
        if (Rsa is not null)
        {
            var p = Rsa.ExportParameters(false);
            return new() { ["kty"] = "RSA", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm, ["n"] = Base64UrlEncoder.Encode(p.Modulus!), ["e"] = Base64UrlEncoder.Encode(p.Exponent!) };
        }

        var ec = Ecdsa!.ExportParameters(false);
        return new() { ["kty"] = "EC", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm, ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(ec.Q.X!), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y!) };
    }

    /// <summary>A JWKS document holding the public halves of <paramref name="keys"/>.</summary>
    public static string ToJwksJson(params TestSigningKey[] keys) =>
        JsonSerializer.Serialize(new { keys = keys.Select(k => k.ToPublicJwk()).ToArray() });

    public void Dispose()
    {
        Rsa?.Dispose();
        Ecdsa?.Dispose();
    }
}
