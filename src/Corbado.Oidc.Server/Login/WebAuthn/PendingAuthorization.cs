using System.Text.Json.Serialization;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// An authorization request OpenIddict has validated, kept on the server while the user is on the hosted passkey page
/// (the page holds only its handle): everything needed to answer it as the hint flow would.
/// </summary>
internal sealed record PendingAuthorization
{
    [JsonPropertyName("client_id")] public required string ClientId { get; init; }
    [JsonPropertyName("redirect_uri")] public required string RedirectUri { get; init; }
    [JsonPropertyName("scopes")] public required IReadOnlyList<string> Scopes { get; init; }
    [JsonPropertyName("nonce")] public string? Nonce { get; init; }
    [JsonPropertyName("code_challenge")] public string? CodeChallenge { get; init; }
    [JsonPropertyName("state")] public string? State { get; init; }

    /// <summary><c>query</c> or <c>form_post</c>.</summary>
    [JsonPropertyName("response_mode")] public required string ResponseMode { get; init; }

    [JsonPropertyName("ui_locales")] public string? UiLocales { get; init; }

    /// <summary>A plain <c>login_hint</c> (a user name, not a signedPasskeyData), shown on the page.</summary>
    [JsonPropertyName("login_hint")] public string? LoginHint { get; init; }

    public AuthorizationInput ToInput() => new(ClientId, RedirectUri, Scopes, Nonce, CodeChallenge, LoginHint: null, MaxAge: null);
}

/// <summary>What a hosted-page request stands for when it is an enrolment link.</summary>
internal sealed record EnrolmentLink
{
    [JsonPropertyName("sub")] public required string Subject { get; init; }
}

/// <summary>An open passkey management page: the subject it manages and when the page stops answering.</summary>
internal sealed record ManagementPage
{
    [JsonPropertyName("sub")] public required string Subject { get; init; }
    [JsonPropertyName("exp")] public required long ExpiresAt { get; init; }
}

/// <summary>
/// An authorization response for the browser to deliver: a redirect (query) or an auto-submitted form (form_post), with
/// <c>state</c> and <c>iss</c> (RFC 9207) as OpenIddict adds them.
/// </summary>
internal sealed record AuthorizationResponse(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, string> Parameters);

[JsonSerializable(typeof(PendingAuthorization))]
[JsonSerializable(typeof(EnrolmentLink))]
[JsonSerializable(typeof(ManagementPage))]
[JsonSerializable(typeof(AuthorizationResponse))]
internal sealed partial class HostedPasskeyJson : JsonSerializerContext;
