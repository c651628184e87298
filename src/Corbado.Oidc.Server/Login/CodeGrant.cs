using System.Text.Json;
using System.Text.Json.Serialization;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// What a passkey login grants: for a code, stored as JSON in the code's row (never sent to the client, which gets only
/// the 43-character handle); for a token exchange, written straight into tokens. Both doors issue and redeem codes
/// through <see cref="AuthorizationCodeFlow"/>, so this is the one stored form of a code.
/// </summary>
internal sealed record CodeGrant
{
    [JsonPropertyName("client_id")] public required string ClientId { get; init; }

    /// <summary>The authorization request's redirect URI; null for a grant that no code stands for (token exchange).</summary>
    [JsonPropertyName("redirect_uri")] public string? RedirectUri { get; init; }

    [JsonPropertyName("scope")] public required string Scope { get; init; }

    [JsonPropertyName("nonce")] public string? Nonce { get; init; }

    [JsonPropertyName("code_challenge")] public string? CodeChallenge { get; init; }

    [JsonPropertyName("sub")] public required string Subject { get; init; }

    [JsonPropertyName("passkey_sub")] public string? PasskeyUserId { get; init; }

    [JsonPropertyName("auth_time")] public required long AuthTime { get; init; }

    [JsonPropertyName("grant")] public required string GrantId { get; init; }

    /// <summary>The audiences and resources a token exchange asked for (RFC 8693 §2.1, RFC 8707), for the access token's <c>aud</c>.</summary>
    [JsonPropertyName("aud")] public IReadOnlyList<string>? Audiences { get; init; }

    /// <summary>The <c>amr</c> a hosted passkey ceremony proved (RFC 8176); null for a hint login (<c>Oidc:Amr</c>).</summary>
    [JsonPropertyName("amr")] public IReadOnlyList<string>? Amr { get; init; }

    /// <summary>The identity-provider session the code was issued within (<c>sid</c> in the ID token); null without one.</summary>
    [JsonPropertyName("sid")] public string? Sid { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CodeGrantJson.Default.CodeGrant);

    /// <summary>The grant, or null when the payload is empty (a redeemed code) or not a grant.</summary>
    public static CodeGrant? FromPayload(string payload)
    {
        if (payload.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(payload, CodeGrantJson.Default.CodeGrant);
        }
        catch (JsonException)
        {
            // A row written by an older version (OpenIddict's sealed code): never redeemable now, refused like an unknown code.
            return null;
        }
    }

    public string[] Scopes => Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
