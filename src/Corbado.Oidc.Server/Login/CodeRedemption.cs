namespace Corbado.Oidc.Server.Login;

/// <summary>
/// A token request for the authorization_code grant whose client the door has authenticated (RFC 6749 §4.1.3).
/// </summary>
internal sealed record CodeRedemption(string ClientId, string Code, string? RedirectUri, string? CodeVerifier);
