using System.Security.Cryptography;
using Corbado.Oidc.Core.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The server's keys in the shared database, their secret parts encrypted under the <see cref="KeyEncryptionKey"/>:
/// created on first start, re-encrypted when the key-encryption key changes, rotated and imported from the command
/// line (docs/operations.md), and read by every replica's <see cref="KeyRing"/>.
/// </summary>
public sealed class KeyMaterialStore(
    IDbContextFactory<OidcDbContext> contexts,
    KeyEncryptionKey keyEncryptionKey,
    IOptions<KeysOptions> keysOptions,
    IOptions<OidcOptions> oidcOptions,
    TimeProvider timeProvider)
{
    public const string SigningUse = "sig";
    public const string EncryptionUse = "enc";

    /// <summary>A symmetric key that signs the tokens only this server reads (access tokens).</summary>
    public const string InternalSigningUse = "int";

    /// <summary>The key stored request-object secrets are encrypted under (<see cref="RequestObjectSecretProtector"/>); never rotated.</summary>
    public const string RequestObjectSecretUse = "ros";

    private const int RsaKeySize = 2048;

    // A relying party may check a token against its clock a few minutes off ours.
    private static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(5);

    /// <summary>The uses <c>keys rotate</c> renews; request-object secrets stay under their key.</summary>
    private static readonly string[] RotatedUses = [SigningUse, EncryptionUse, InternalSigningUse];

    /// <summary>
    /// Creates the keys that do not exist yet and re-encrypts rows not written under the current key-encryption key
    /// (rows in the clear from earlier versions, or under a previous key-encryption key). The caller holds the
    /// <see cref="DatabaseLock"/>, so the first replica creates the keys and the others find them.
    /// </summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await context.Keys.ToListAsync(cancellationToken);
        var now = Now();

        foreach (var row in rows.Where(r => r.ProtectedBy != keyEncryptionKey.Id))
        {
            var plaintext = Decrypt(row);
            row.Material = keyEncryptionKey.Protect(row.Id, plaintext);
            row.ProtectedBy = keyEncryptionKey.Id;
        }

        foreach (var use in RotatedUses.Where(use => !rows.Any(r => r.Use == use && !(r.ExpiresAt <= now))))
        {
            context.Keys.Add(NewKey(use, now, now));
        }

        if (!rows.Any(r => r.Use == RequestObjectSecretUse))
        {
            // Earlier versions derived this key from the first encryption key: keep its bytes, so secrets they stored still decrypt.
            var earlier = rows.Where(r => r.Use == EncryptionUse).OrderBy(r => r.CreatedAt).FirstOrDefault();
            var secret = earlier is null ? RandomNumberGenerator.GetBytes(32) : Decrypt(earlier);
            context.Keys.Add(Protected(new KeyMaterial
            {
                Id = "ros-" + Base64UrlEncoder.Encode(SHA256.HashData(secret))[..12], Use = RequestObjectSecretUse,
                Algorithm = SecurityAlgorithms.Aes256Gcm, Material = secret, CreatedAt = now, ActivatesAt = now,
            }));
        }

        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a successor for every rotated key (signing, access-token encryption, internal HMAC). It is published at
    /// once and used from now + <c>Keys:RotationLeadTime</c>; its predecessor signs until then and stays published
    /// until every token it signed has expired. <paramref name="immediately"/> (an emergency: the old key is
    /// compromised) activates the new keys now and withdraws the old ones at once.
    /// </summary>
    public async Task<IReadOnlyList<KeyMaterial>> RotateAsync(bool immediately, CancellationToken cancellationToken)
        => await ChangeAsync(_ => true, Successors, immediately, cancellationToken);

    /// <summary>Rotates (as <see cref="RotateAsync"/>) when the newest signing key is older than <paramref name="interval"/> and none is pending.</summary>
    public async Task<IReadOnlyList<KeyMaterial>> RotateIfDueAsync(TimeSpan interval, CancellationToken cancellationToken)
        => await ChangeAsync(
            rows => rows.Where(r => r.Use == SigningUse).Max(r => (long?)r.CreatedAt) is not { } newest || newest + (long)interval.TotalSeconds <= Now(),
            Successors, immediately: false, cancellationToken);

    /// <summary>Adds an operator's RSA key (from <c>keys import</c>) as the next ID-token signing key, like a rotation.</summary>
    public async Task<IReadOnlyList<KeyMaterial>> ImportAsync(RSA rsa, bool immediately, CancellationToken cancellationToken)
    {
        if (rsa.KeySize < RsaKeySize)
        {
            throw new ArgumentException($"The key has {rsa.KeySize} bits; at least {RsaKeySize} are required.");
        }

        var imported = RsaKey(rsa, Now());
        return await ChangeAsync(rows => rows.All(r => r.Id != imported.Id)
                ? true
                : throw new ArgumentException($"Key '{imported.Id}' is already present."),
            _ => [imported], immediately, cancellationToken);
    }

    /// <summary>Every stored key without its secret part, oldest first.</summary>
    public async Task<IReadOnlyList<KeyMaterial>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await context.Keys.AsNoTracking().ToListAsync(cancellationToken);
        rows.ForEach(r => r.Material = []);
        return [.. rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Use, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Reads and decrypts every key not yet expired; null when the rows are those <paramref name="unlessFingerprint"/>
    /// stands for (nothing changed, nothing decrypted).
    /// </summary>
    public KeySet? Load(string? unlessFingerprint = null)
    {
        using var context = contexts.CreateDbContext();
        var now = Now();
        var rows = context.Keys.AsNoTracking().Where(k => k.ExpiresAt == null || k.ExpiresAt > now).ToList()
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();
        var fingerprint = string.Join(';', rows.Select(k => $"{k.Id},{k.ActivatesAt},{k.RetiresAt},{k.ExpiresAt},{k.ProtectedBy}"));
        if (fingerprint == unlessFingerprint)
        {
            return null;
        }

        var keys = rows.Select(k => new ServerKey(k.Id, k.Use, k.Algorithm, k.CreatedAt, k.ActivatesAt, k.RetiresAt, k.ExpiresAt, SecurityKeyOf(k))).ToList();
        return new KeySet(keys, fingerprint, keysOptions.Value.AccessTokenKeyWrap);
    }

    /// <summary>Loads the current keys (for tests and the command line); throws when none are stored.</summary>
    public KeySet Load() => Load(unlessFingerprint: null) ?? throw new InvalidOperationException("No keys are stored.");

    private async Task<IReadOnlyList<KeyMaterial>> ChangeAsync(
        Func<List<KeyMaterial>, bool> isDue, Func<long, List<KeyMaterial>> successors, bool immediately, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        // One change at a time across replicas and the command line: two rotations must not both retire the same key.
        await using var held = await DatabaseLock.AcquireAsync(context, cancellationToken);
        var rows = await context.Keys.ToListAsync(cancellationToken);
        if (!isDue(rows))
        {
            return [];
        }

        var now = Now();
        var activatesAt = immediately ? now : now + (long)keysOptions.Value.RotationLeadTime.TotalSeconds;
        var oidc = oidcOptions.Value;
        var longestToken = new[] { oidc.AccessTokenLifetime, oidc.IdentityTokenLifetime, oidc.AuthorizationCodeLifetime }.Max() + ClockMargin;
        var added = successors(now);
        foreach (var key in added)
        {
            // Immediately: every key of the use still published is withdrawn, including one already retiring after an
            // earlier scheduled rotation (it may be the compromised one, still signing until its successor activates).
            foreach (var predecessor in rows.Where(r => r.Use == key.Use && (immediately ? !(r.ExpiresAt <= now) : r.RetiresAt is null)))
            {
                // It signs until its successor activates, and stays published until what it signed last has expired.
                predecessor.RetiresAt = predecessor.RetiresAt is { } retires && retires < activatesAt ? retires : activatesAt;
                predecessor.ExpiresAt = immediately ? now : activatesAt + (long)longestToken.TotalSeconds;
            }

            key.ActivatesAt = activatesAt;
            context.Keys.Add(key.ProtectedBy is null ? Protected(key) : key);
        }

        await context.SaveChangesAsync(cancellationToken);
        return added;
    }

    private List<KeyMaterial> Successors(long now) => [.. RotatedUses.Select(use => NewKey(use, now, now))];

    private KeyMaterial NewKey(string use, long createdAt, long activatesAt)
    {
        if (use == SigningUse)
        {
            using var rsa = RSA.Create(RsaKeySize);
            var key = RsaKey(rsa, createdAt);
            key.ActivatesAt = activatesAt;
            return Protected(key);
        }

        var secret = RandomNumberGenerator.GetBytes(32);
        var prefix = use == InternalSigningUse ? "int-" : "";
        return Protected(new KeyMaterial
        {
            Id = prefix + Base64UrlEncoder.Encode(SHA256.HashData(secret))[..(use == InternalSigningUse ? 12 : 16)],
            Use = use,
            Algorithm = use == InternalSigningUse ? SecurityAlgorithms.HmacSha256 : SecurityAlgorithms.Aes256KW,
            Material = secret,
            CreatedAt = createdAt,
            ActivatesAt = activatesAt,
        });
    }

    /// <summary>An RSA signing key, its <c>kid</c> the RFC 7638 thumbprint, so every replica names it alike. Not yet encrypted.</summary>
    private static KeyMaterial RsaKey(RSA rsa, long createdAt)
    {
        var publicKey = new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false));
        return new KeyMaterial
        {
            Id = Base64UrlEncoder.Encode(publicKey.ComputeJwkThumbprint()),
            Use = SigningUse,
            Algorithm = SecurityAlgorithms.RsaSha256,
            Material = rsa.ExportPkcs8PrivateKey(),
            CreatedAt = createdAt,
            ActivatesAt = createdAt,
        };
    }

    /// <summary>Encrypts a new row's material in place under the current key-encryption key.</summary>
    private KeyMaterial Protected(KeyMaterial row)
    {
        var plaintext = row.Material;
        row.Material = keyEncryptionKey.Protect(row.Id, plaintext);
        row.ProtectedBy = keyEncryptionKey.Id;
        CryptographicOperations.ZeroMemory(plaintext);
        return row;
    }

    private byte[] Decrypt(KeyMaterial row)
    {
        if (row.ProtectedBy is null)
        {
            return row.Material;
        }

        if (!keyEncryptionKey.CanRead(row.ProtectedBy))
        {
            throw new KeyMaterialUnreadableException(
                $"the stored keys are encrypted under key-encryption key {row.ProtectedBy}, but Keys:EncryptionKey is key {keyEncryptionKey.Id}. "
                + "Configure the key they were written with (or list it under Keys:PreviousEncryptionKeys).");
        }

        try
        {
            return keyEncryptionKey.Unprotect(row.Id, row.ProtectedBy, row.Material);
        }
        catch (CryptographicException exception)
        {
            throw new KeyMaterialUnreadableException($"the stored key '{row.Id}' cannot be decrypted (tampered with, or moved from another row).", exception);
        }
    }

    private SecurityKey SecurityKeyOf(KeyMaterial row)
    {
        var material = Decrypt(row);
        if (row.Use != SigningUse)
        {
            return new SymmetricSecurityKey(material) { KeyId = row.Id };
        }

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(material, out _);
        CryptographicOperations.ZeroMemory(material);
        return new RsaSecurityKey(rsa) { KeyId = row.Id };
    }

    private long Now() => timeProvider.GetUtcNow().ToUnixTimeSeconds();
}
