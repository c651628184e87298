using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Testing;

/// <summary>
/// Mints signedPasskeyData shaped like the passkey backend's (docs/login-rules.md §2), and lets a test bend any header or claim
/// to forge hostile hints. The JWS is assembled by hand so that headers such as <c>alg: none</c>, <c>jku</c> or
/// <c>crit</c> can be produced, which token libraries refuse to create.
/// </summary>
public sealed class HintMinter(TestSigningKey key, string projectId, TimeProvider timeProvider)
{
    public const string DefaultProjectId = "pro-7815296293940881620";

    public TestSigningKey Key { get; } = key;
    public string ProjectId { get; } = projectId;

    /// <summary>The default payload: five-minute lifetime, unique jti, webauthnId = <paramref name="webAuthnId"/>.</summary>
    public JsonObject DefaultPayload(string webAuthnId = "c364a852-0071-70a4-0fe8-ed5728aa9522")
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = ProjectId,
            ["sub"] = "usr-676138078732345317",
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(22)),
            ["webauthnId"] = webAuthnId,
            ["username"] = "",
            ["credential"] = "cre-1234567890",
            ["challengeId"] = "was-1234567890",
            ["processId"] = "pro-process-1",
            ["isCUI"] = false,
        };
    }

    public JsonObject DefaultHeader() => new() { ["alg"] = Key.Algorithm, ["kid"] = Key.KeyId, ["typ"] = "JWT" };

    /// <summary>A valid hint, after the optional changes to payload and header.</summary>
    public string Mint(Action<JsonObject>? payload = null, Action<JsonObject>? header = null, string webAuthnId = "c364a852-0071-70a4-0fe8-ed5728aa9522")
    {
        var p = DefaultPayload(webAuthnId);
        payload?.Invoke(p);
        var h = DefaultHeader();
        header?.Invoke(h);
        return Sign(h.ToJsonString(), p.ToJsonString());
    }

    /// <summary>Signs arbitrary header and payload JSON text with this minter's key.</summary>
    public string Sign(string headerJson, string payloadJson)
    {
        var signingInput = Encode(headerJson) + "." + Encode(payloadJson);
        return signingInput + "." + Base64UrlEncoder.Encode(Key.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>Header and payload with an arbitrary signature segment (for alg none, HMAC forgeries and so on).</summary>
    public static string Unsigned(string headerJson, string payloadJson, string signature = "")
        => Encode(headerJson) + "." + Encode(payloadJson) + "." + signature;

    /// <summary>An HS256 JWS keyed with <paramref name="secret"/> (the classic RSA-public-key-as-HMAC-secret attack).</summary>
    public static string SignHs256(string headerJson, string payloadJson, byte[] secret)
    {
        var signingInput = Encode(headerJson) + "." + Encode(payloadJson);
        return signingInput + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
