using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The server's keys as read from the database at one moment: what a replica publishes and accepts (every key not yet
/// expired: pending, active and retired) and what it signs with (per use, the newest key whose activation time has
/// come). Activation and retirement are instants stored with the keys, so every replica switches at the same moment
/// without talking to the others (docs/operations.md).
/// </summary>
public sealed class KeySet
{
    private readonly Dictionary<string, ServerKey[]> _byUseNewestFirst;

    private readonly bool _accessTokenKeyWrap;

    /// <summary>The set of <paramref name="keys"/>; <paramref name="accessTokenKeyWrap"/> is <c>Keys:AccessTokenKeyWrap</c>.</summary>
    public KeySet(IReadOnlyList<ServerKey> keys, string fingerprint, bool accessTokenKeyWrap = false)
    {
        Keys = keys;
        _accessTokenKeyWrap = accessTokenKeyWrap;
        Fingerprint = fingerprint;
        _byUseNewestFirst = keys.GroupBy(k => k.Use, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.OrderByDescending(k => k.ActivatesAt).ThenByDescending(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);

        // OpenIddict validates with every signing and encryption key listed (access tokens at /userinfo) and publishes
        // the asymmetric ones in the JWKS; the internal HMAC keys never leave the server.
        Signing = [.. Of(KeyMaterialStore.InternalSigningUse).Concat(Of(KeyMaterialStore.SigningUse)).Select(k => k.SigningCredentials)];
        // Both forms of every enc key decrypt, whichever this replica writes: a fleet mid-upgrade writes both.
        Encryption = [.. Of(KeyMaterialStore.EncryptionUse).SelectMany(k => new[] { k.DirectEncryptingCredentials, k.EncryptingCredentials })];
        RequestObjectSecretKey = Of(KeyMaterialStore.RequestObjectSecretUse).Select(k => ((SymmetricSecurityKey)k.Key).Key).LastOrDefault();
    }

    /// <summary>Every key, pending, active or retired.</summary>
    public IReadOnlyList<ServerKey> Keys { get; }

    /// <summary>Identifies the rows this set was read from; an unchanged fingerprint means nothing to reload.</summary>
    public string Fingerprint { get; }

    /// <summary>Every signing key a token of ours may carry: internal HMAC keys first, then the published asymmetric keys.</summary>
    public IReadOnlyList<SigningCredentials> Signing { get; }

    /// <summary>Every access-token encryption key that may have been used: per stored <c>enc</c> key, its direct (<c>dir</c>) and its key-wrap form.</summary>
    public IReadOnlyList<EncryptingCredentials> Encryption { get; }

    /// <summary>The key request-object secrets are protected under (never rotated: the stored secrets depend on it).</summary>
    public byte[]? RequestObjectSecretKey { get; }

    /// <summary>The published asymmetric key that signs ID tokens at <paramref name="now"/>.</summary>
    public SigningCredentials IdTokenSigning(DateTimeOffset now) => Current(KeyMaterialStore.SigningUse, now).SigningCredentials;

    /// <summary>The HMAC key that signs access tokens (read only by this server) at <paramref name="now"/>.</summary>
    public SigningCredentials InternalSigning(DateTimeOffset now) => Current(KeyMaterialStore.InternalSigningUse, now).SigningCredentials;

    /// <summary>
    /// The key access tokens are encrypted under at <paramref name="now"/>: direct encryption (<c>dir</c>) with the key
    /// derived from the active <c>enc</c> key, or that key's A256KW key wrap when <c>Keys:AccessTokenKeyWrap</c> is on.
    /// </summary>
    public EncryptingCredentials AccessTokenEncryption(DateTimeOffset now)
    {
        var key = Current(KeyMaterialStore.EncryptionUse, now);
        return _accessTokenKeyWrap ? key.EncryptingCredentials : key.DirectEncryptingCredentials;
    }

    private IEnumerable<ServerKey> Of(string use) => _byUseNewestFirst.TryGetValue(use, out var keys) ? keys.Reverse() : [];

    private ServerKey Current(string use, DateTimeOffset now)
    {
        var keys = _byUseNewestFirst.TryGetValue(use, out var found) && found.Length > 0
            ? found
            : throw new InvalidOperationException($"No '{use}' key is loaded.");
        var seconds = now.ToUnixTimeSeconds();
        foreach (var key in keys)
        {
            if (key.ActivatesAt <= seconds)
            {
                return key;
            }
        }

        // Only pending keys (a clock far behind the one that wrote them): the earliest is the safest choice.
        return keys[^1];
    }
}
