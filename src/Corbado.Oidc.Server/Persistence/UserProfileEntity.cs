using Microsoft.EntityFrameworkCore;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>The stored form of <see cref="Core.Claims.UserProfile"/>.</summary>
public sealed class UserProfileEntity
{
    public required string Subject { get; set; }
    public string? Email { get; set; }
    public bool? EmailVerified { get; set; }
    public string? Name { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public string? PreferredUsername { get; set; }
    public string? Locale { get; set; }

    /// <summary>Unix seconds.</summary>
    public long UpdatedAt { get; set; }
}
