namespace Corbado.Oidc.Server.Login;

/// <summary>
/// An authorization request that a door has already validated as OAuth (client, redirect URI, response type, scopes and
/// PKCE shape): what remains is the passkey login itself.
/// </summary>
/// <param name="ClientId">The registered client.</param>
/// <param name="RedirectUri">The registered redirect URI the request names.</param>
/// <param name="Scopes">The requested scopes, <c>openid</c> among them.</param>
/// <param name="Nonce">The request's nonce, copied into the ID token.</param>
/// <param name="CodeChallenge">The S256 PKCE challenge (RFC 7636 §4.3), if any.</param>
/// <param name="LoginHint">The signedPasskeyData; null or empty when the request carried none.</param>
/// <param name="MaxAge">The request's <c>max_age</c> in seconds (OIDC Core §3.1.2.1), if any.</param>
internal sealed record AuthorizationInput(
    string ClientId,
    string RedirectUri,
    IReadOnlyList<string> Scopes,
    string? Nonce,
    string? CodeChallenge,
    string? LoginHint,
    long? MaxAge)
{
    /// <summary>The request's <c>prompt</c> values (OIDC Core §3.1.2.1), space-separated; null when absent.</summary>
    public string? Prompt { get; init; }

    /// <summary>The request's <c>id_token_hint</c>, if any.</summary>
    public string? IdTokenHint { get; init; }

    /// <summary>The handle in the browser's session cookie, if any (docs/sessions-and-logout.md).</summary>
    public string? SessionHandle { get; init; }

    /// <summary>Whether <c>prompt</c> names <paramref name="value"/>.</summary>
    public bool HasPrompt(string value) => Prompt is { } prompt && prompt.Split(' ').Contains(value, StringComparer.Ordinal);
}
