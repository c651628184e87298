namespace Corbado.Oidc.Server.Login;

/// <summary>The answer to a token request: the tokens, or an OAuth error (RFC 6749 §5.2).</summary>
internal readonly record struct TokenOutcome(IssuedTokens? Tokens, string? Error, string? Description)
{
    public static TokenOutcome Refused(string error, string description) => new(null, error, description);
}
