namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// A passkey registered to a user (WebAuthn Level 3 §4 "credential record"): what the assertion is verified against,
/// and what the user sees when managing passkeys. Times are Unix seconds.
/// </summary>
public sealed class PasskeyCredential
{
    /// <summary>The credential id, base64url (primary key).</summary>
    public required string Id { get; set; }

    /// <summary>The OIDC subject the passkey signs in as.</summary>
    public required string Subject { get; set; }

    /// <summary>The WebAuthn user handle (<c>user.id</c>), the same for every passkey of a subject.</summary>
    public required byte[] UserHandle { get; set; }

    /// <summary>The COSE public key.</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>The last signature counter seen (WebAuthn §6.1.1).</summary>
    public long SignCount { get; set; }

    /// <summary>Transports the browser reported at registration, comma-separated.</summary>
    public string Transports { get; set; } = "";

    /// <summary>Backup eligibility (BE flag), fixed at registration.</summary>
    public bool IsBackupEligible { get; set; }

    /// <summary>Backup state (BS flag), as last seen.</summary>
    public bool IsBackedUp { get; set; }

    /// <summary>The authenticator's AAGUID (all zero with attestation <c>none</c> on many platforms).</summary>
    public Guid AaGuid { get; set; }

    /// <summary>The attestation statement format (<c>none</c> by default).</summary>
    public string AttestationFormat { get; set; } = "none";

    /// <summary>A name the user can change.</summary>
    public required string Name { get; set; }

    public long CreatedAt { get; set; }

    public long? LastUsedAt { get; set; }
}
