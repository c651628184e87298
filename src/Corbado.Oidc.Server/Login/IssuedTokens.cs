namespace Corbado.Oidc.Server.Login;

/// <summary>The tokens of one redeemed code, and what the token response says about them (RFC 6749 §5.1).</summary>
internal sealed record IssuedTokens(string IdToken, string AccessToken, long ExpiresIn, string Scope);
