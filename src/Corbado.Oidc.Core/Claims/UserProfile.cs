namespace Corbado.Oidc.Core.Claims;

/// <summary>
/// What the operator knows about a user, keyed by the OIDC subject (docs/login-rules.md §4). Every field is optional: absent data
/// is omitted from tokens, never invented.
/// </summary>
public sealed record UserProfile
{
    /// <summary>The OIDC subject this profile belongs to (by default the hint's <c>webauthnId</c>).</summary>
    public required string Subject { get; init; }
    public string? Email { get; init; }
    public bool? EmailVerified { get; init; }
    public string? Name { get; init; }
    public string? GivenName { get; init; }
    public string? FamilyName { get; init; }
    public string? PreferredUsername { get; init; }
    public string? Locale { get; init; }

    /// <summary>When the profile last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}
