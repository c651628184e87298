namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// The back-channel logout outbox: one row per (ended session, client with a back-channel logout URI), written in the
/// transaction that ends the session and deleted once the relying party took its logout token (or the delivery was
/// abandoned). <see cref="DueAt"/> is both the retry schedule and the lease: a replica claims a due row by moving it
/// into the future with a compare-and-set on its old value, so exactly one replica wins it, and a replica that dies
/// holding it lets it become due again when the lease runs out.
/// </summary>
public sealed class BackchannelLogoutEntry
{
    /// <summary>A random id, also the logout token's <c>jti</c> at every attempt (a relying party can drop repeats by it).</summary>
    public required string Id { get; set; }

    public required string ClientId { get; set; }

    /// <summary>The session's <c>sid</c>.</summary>
    public required string Sid { get; set; }

    /// <summary>The user's <c>sub</c>.</summary>
    public required string Subject { get; set; }

    /// <summary>When the session ended, Unix milliseconds (the age limit counts from here).</summary>
    public long CreatedAt { get; set; }

    /// <summary>When the next attempt is due, Unix milliseconds; while a replica holds the row, when its lease ends.</summary>
    public long DueAt { get; set; }

    /// <summary>Attempts made (claims taken), including one in progress.</summary>
    public int Attempts { get; set; }

    /// <summary>The reason code of the last failed attempt, for operators; null before the first failure.</summary>
    public string? LastFailure { get; set; }
}
