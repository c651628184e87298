namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Server-side state a browser holds only a random handle to: an authorization request waiting on the hosted sign-in
/// page (its parameters are never read back from the page), or a single-use enrolment link. Keyed by a hash of the
/// handle; deleted when used.
/// </summary>
public sealed class PasskeyRequestEntry
{
    public required string Key { get; set; }

    /// <summary><c>authorization</c> or <c>enrolment</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>What the handle stands for, as JSON.</summary>
    public required string Payload { get; set; }

    public long ExpiresAt { get; set; }
}
