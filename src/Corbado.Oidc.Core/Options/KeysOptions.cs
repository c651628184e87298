namespace Corbado.Oidc.Core.Options;

/// <summary>
/// The server's own keys (configuration section <c>Keys</c>): the key-encryption key that protects them at rest in the
/// shared database, and how new signing keys are rolled out to every replica (docs/operations.md).
/// </summary>
public sealed class KeysOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Keys";

    /// <summary>The file the Development environment generates when no key-encryption key is configured.</summary>
    public const string DevelopmentKeyFile = "data/key-encryption-key";

    /// <summary>
    /// The key-encryption key: 32 random bytes, base64 (<c>openssl rand -base64 32</c>). Every private key, HMAC
    /// key and stored secret in the database is encrypted under it with AES-256-GCM. Every replica needs the same
    /// value; losing it makes the stored keys unusable (back it up outside the database). Required outside
    /// Development unless <see cref="EncryptionKeyFile"/> is set.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// A file holding the key-encryption key in the same base64 form (for example a mounted Kubernetes Secret).
    /// In Development, when neither this nor <see cref="EncryptionKey"/> is set, <c>data/key-encryption-key</c>
    /// is generated and used.
    /// </summary>
    public string? EncryptionKeyFile { get; set; }

    /// <summary>
    /// Former key-encryption keys (base64), used only to read key material written under them. During a
    /// key-encryption-key rotation the server re-encrypts such rows under <see cref="EncryptionKey"/> at start-up.
    /// </summary>
    public List<string> PreviousEncryptionKeys { get; set; } = [];

    /// <summary>
    /// How long a new signing key is published in the JWKS before any replica signs with it, so relying parties that
    /// cache the JWKS (Okta, Auth0) know it before they see it. Default one day.
    /// </summary>
    public TimeSpan RotationLeadTime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often every replica re-reads the keys from the database; a key added, rotated or retired by another
    /// replica or the command line is published and used within this time, without restart. Default 30 seconds.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When set, a replica starts a rotation (as <c>keys rotate</c>) once the newest signing key is this old.
    /// Unset (the default): keys rotate only from the command line.
    /// </summary>
    public TimeSpan? AutomaticRotationInterval { get; set; }

    /// <summary>
    /// Encrypt access tokens as earlier versions did: a fresh content key per token, wrapped with AES key wrap
    /// (<c>A256KW</c>). Off (the default): the content key is derived from the same stored <c>enc</c> key once
    /// (<c>dir</c>, RFC 7518 §4.5), which saves the per-token key wrap. Either way every replica reads both forms; turn
    /// this on only while a fleet is rolled from a version before 2026-12, so the replicas not yet upgraded can read
    /// the tokens the upgraded ones issue at /userinfo (docs/operations.md).
    /// </summary>
    public bool AccessTokenKeyWrap { get; set; }
}
