namespace Corbado.Oidc.Server.Login;

/// <summary>The tokens of one grant, and what the token response says about them (RFC 6749 §5.1).</summary>
/// <param name="IdToken">The ID token; null when <c>openid</c> was not granted (a token exchange without it).</param>
/// <param name="AccessToken">The bearer access token (encrypted; /userinfo reads it).</param>
/// <param name="ExpiresIn">The access token's lifetime in seconds.</param>
/// <param name="Scope">The granted scope.</param>
internal sealed record IssuedTokens(string? IdToken, string AccessToken, long ExpiresIn, string Scope)
{
    /// <summary>A refresh token, for <c>offline_access</c> and clients allowed them.</summary>
    public string? RefreshToken { get; init; }
}
