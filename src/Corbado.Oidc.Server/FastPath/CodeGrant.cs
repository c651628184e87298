using System.Text.Json;
using System.Text.Json.Serialization;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// What a code issued by the fast path stands for, stored as JSON in the code's row (never sent to the client, which
/// gets only the 43-character handle). OpenIddict's codes are sealed JWTs in the same column; the first character
/// tells them apart, and a fast-path code is only ever redeemed by the fast path.
/// </summary>
internal sealed record CodeGrant
{
    [JsonPropertyName("client_id")] public required string ClientId { get; init; }

    [JsonPropertyName("redirect_uri")] public required string RedirectUri { get; init; }

    [JsonPropertyName("scope")] public required string Scope { get; init; }

    [JsonPropertyName("nonce")] public string? Nonce { get; init; }

    [JsonPropertyName("code_challenge")] public string? CodeChallenge { get; init; }

    [JsonPropertyName("sub")] public required string Subject { get; init; }

    [JsonPropertyName("passkey_sub")] public string? PasskeyUserId { get; init; }

    [JsonPropertyName("auth_time")] public required long AuthTime { get; init; }

    [JsonPropertyName("grant")] public required string GrantId { get; init; }

    public static bool IsFastPathPayload(string payload) => payload.StartsWith('{');

    public string ToJson() => JsonSerializer.Serialize(this, CodeGrantJson.Default.CodeGrant);

    /// <summary>The grant, or null when the payload is not one (a sealed OpenIddict code).</summary>
    public static CodeGrant? FromPayload(string payload)
        => IsFastPathPayload(payload) ? JsonSerializer.Deserialize(payload, CodeGrantJson.Default.CodeGrant) : null;

    public string[] Scopes => Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

[JsonSerializable(typeof(CodeGrant))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class CodeGrantJson : JsonSerializerContext;
