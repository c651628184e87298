namespace Corbado.Oidc.Server.Login;

/// <summary>The answer to an authorization request: a code handle, or an OAuth error for the redirect URI.</summary>
internal readonly record struct AuthorizationOutcome(string? Code, string? Error, string? Description)
{
    public static AuthorizationOutcome Refused(string error, string description) => new(null, error, description);
}
