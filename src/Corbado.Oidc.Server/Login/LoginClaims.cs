using System.Globalization;
using System.Security.Claims;
using Corbado.Oidc.Core.Claims;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// Which claims a passkey login puts where: <c>sub</c>, <c>passkey_sub</c> and the profile claims go into both the ID
/// token and the (encrypted) access token, so <c>/userinfo</c>, which answers from the access token, says exactly what
/// the ID token says (Okta reads one, Auth0 the other); <c>auth_time</c>, <c>acr</c>, <c>amr</c>, <c>nonce</c> and
/// <c>at_hash</c> go into the ID token only; the grant id into the access token only.
/// </summary>
internal static class LoginClaims
{
    /// <summary>The private claim holding the grant id (in the encrypted access token only).</summary>
    public const string GrantId = "corbado_grant";

    /// <summary>The identity-provider session an ID token was issued within (OIDC Front/Back-Channel Logout <c>sid</c>).</summary>
    public const string SessionId = "sid";

    /// <summary>
    /// A profile claim's JSON value, typed by claim name (OIDC Core §5.1: <c>email_verified</c> is a boolean,
    /// <c>updated_at</c> a number, the others strings), whatever string form it travelled in.
    /// </summary>
    public static object ProfileValue(Claim claim) => claim.Type switch
    {
        "email_verified" => claim.Value == "true",
        "updated_at" => long.Parse(claim.Value, CultureInfo.InvariantCulture),
        _ => claim.Value,
    };

    /// <summary>Whether a claim of an access token is one that <c>/userinfo</c> releases.</summary>
    public static bool IsUserInfoClaim(string type) => ProfileClaims.Types.Contains(type);
}
