using System.Globalization;
using System.Security.Claims;

namespace Corbado.Oidc.Core.Claims;

/// <summary>
/// Standard claims released by scope (OIDC Core §5.4): <c>profile</c> → name, given_name, family_name,
/// preferred_username, locale, updated_at; <c>email</c> → email, email_verified. The same list feeds the ID token
/// and <c>/userinfo</c>, so both always agree.
/// </summary>
public static class ProfileClaims
{
    public const string ProfileScope = "profile";
    public const string EmailScope = "email";

    /// <summary>The claim types this mapper can release.</summary>
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "given_name", "family_name", "preferred_username", "locale", "updated_at", "email", "email_verified",
    };

    /// <summary>Whether <paramref name="scopes"/> release any profile claim (so the profile is worth reading at all).</summary>
    public static bool AnyReleasedBy(IReadOnlyCollection<string> scopes) => scopes.Contains(ProfileScope) || scopes.Contains(EmailScope);

    /// <summary>The claims of <paramref name="profile"/> that <paramref name="scopes"/> release; absent values are skipped.</summary>
    public static IEnumerable<Claim> For(UserProfile? profile, IReadOnlyCollection<string> scopes)
    {
        if (profile is null)
        {
            yield break;
        }

        if (scopes.Contains(ProfileScope))
        {
            foreach (var claim in Strings(("name", profile.Name), ("given_name", profile.GivenName), ("family_name", profile.FamilyName),
                ("preferred_username", profile.PreferredUsername), ("locale", profile.Locale)))
            {
                yield return claim;
            }

            if (profile.UpdatedAt is { } updatedAt)
            {
                yield return new Claim("updated_at", updatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
            }
        }

        if (scopes.Contains(EmailScope) && !string.IsNullOrEmpty(profile.Email))
        {
            yield return new Claim("email", profile.Email);
            if (profile.EmailVerified is { } verified)
            {
                yield return new Claim("email_verified", verified ? "true" : "false", ClaimValueTypes.Boolean);
            }
        }
    }

    private static IEnumerable<Claim> Strings(params (string Type, string? Value)[] values)
        => values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => new Claim(v.Type, v.Value!));
}
