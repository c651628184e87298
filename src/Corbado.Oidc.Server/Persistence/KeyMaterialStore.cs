using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Creates the server's keys on first run and loads them afterwards, so tokens signed before a restart still verify
/// and every replica sharing the database signs with the same key.
/// </summary>
public sealed class KeyMaterialStore(IDbContextFactory<OidcDbContext> contexts, TimeProvider timeProvider)
{
    public const string SigningUse = "sig";
    public const string EncryptionUse = "enc";

    /// <summary>A symmetric key that signs the tokens only this server reads (codes, access tokens).</summary>
    public const string InternalSigningUse = "int";
    private const int RsaKeySize = 2048;

    /// <summary>
    /// Creates a signing and an encryption key when none exists. Replicas call it under the
    /// <see cref="InitializationLock"/>, so the first one creates the keys and the others find them.
    /// </summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var uses = await context.Keys.Select(k => k.Use).Distinct().ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();

        if (!uses.Contains(SigningUse))
        {
            using var rsa = RSA.Create(RsaKeySize);
            var publicKey = new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false));
            var kid = Base64UrlEncoder.Encode(publicKey.ComputeJwkThumbprint());
            context.Keys.Add(new KeyMaterial { Id = kid, Use = SigningUse, Algorithm = SecurityAlgorithms.RsaSha256, Material = rsa.ExportPkcs8PrivateKey(), CreatedAt = now });
        }

        if (!uses.Contains(EncryptionUse))
        {
            var secret = RandomNumberGenerator.GetBytes(32);
            var kid = Base64UrlEncoder.Encode(SHA256.HashData(secret))[..16];
            context.Keys.Add(new KeyMaterial { Id = kid, Use = EncryptionUse, Algorithm = SecurityAlgorithms.Aes256KW, Material = secret, CreatedAt = now });
        }

        if (!uses.Contains(InternalSigningUse))
        {
            var secret = RandomNumberGenerator.GetBytes(32);
            var kid = "int-" + Base64UrlEncoder.Encode(SHA256.HashData(secret))[..12];
            context.Keys.Add(new KeyMaterial { Id = kid, Use = InternalSigningUse, Algorithm = SecurityAlgorithms.HmacSha256, Material = secret, CreatedAt = now });
        }

        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Loads every key, newest first within each use.</summary>
    public LoadedKeys Load()
    {
        using var context = contexts.CreateDbContext();
        var rows = context.Keys.AsNoTracking().ToList().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();

        var signing = rows.Where(k => k.Use == SigningUse).Select(k =>
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(k.Material, out _);
            return new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = k.Id }, k.Algorithm);
        }).ToList();

        // OpenIddict signs with the first credential and puts symmetric keys first; ID tokens always take the
        // first asymmetric one (RS256, published in the JWKS). Codes and access tokens, which only this server
        // verifies, are thus HMAC-signed: one RSA private-key operation per login instead of three.
        var internalSigning = rows.Where(k => k.Use == InternalSigningUse)
            .Select(k => new SigningCredentials(new SymmetricSecurityKey(k.Material) { KeyId = k.Id }, k.Algorithm));

        var encryption = rows.Where(k => k.Use == EncryptionUse).Select(k =>
            new EncryptingCredentials(new SymmetricSecurityKey(k.Material) { KeyId = k.Id }, k.Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512)).ToList();

        return new LoadedKeys([.. internalSigning, .. signing], encryption);
    }
}

/// <summary>The keys read from the database.</summary>
public sealed record LoadedKeys(IReadOnlyList<SigningCredentials> Signing, IReadOnlyList<EncryptingCredentials> Encryption);
