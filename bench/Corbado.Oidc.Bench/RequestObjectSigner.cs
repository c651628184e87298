using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Corbado.Oidc.Bench;

/// <summary>
/// Signs the authorization parameters into a request object (OIDC Core §6.1) the way Okta does by default: HS256 with
/// the client secret, whose UTF-8 octets are the key (OIDC Core §10.1). Everything constant for the run is encoded
/// once; per login it writes one small JSON object and computes one HMAC.
/// </summary>
public sealed class RequestObjectSigner(BenchClient client, string audience, string scope, TimeProvider timeProvider)
{
    /// <summary>Seconds from <c>iat</c> to <c>exp</c>.</summary>
    public const int LifetimeSeconds = 300;

    private const int SignatureLength = 43; // base64url of a 32-byte HMAC-SHA256, no padding

    private static readonly byte[] Header = Encoding.ASCII.GetBytes(Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8));

    private readonly byte[] _key = Encoding.UTF8.GetBytes(client.ClientSecret);
    private readonly JsonEncodedText _clientId = JsonEncodedText.Encode(client.ClientId);
    private readonly JsonEncodedText _audience = JsonEncodedText.Encode(audience);
    private readonly JsonEncodedText _redirectUri = JsonEncodedText.Encode(client.RedirectUri);
    private readonly JsonEncodedText _scope = JsonEncodedText.Encode(scope);

    /// <summary>The compact JWS of one authorization request; <paramref name="hint"/> is the login_hint's ASCII bytes.</summary>
    public string Sign(string state, string nonce, ReadOnlySpan<char> codeChallenge, ReadOnlySpan<byte> hint)
    {
        Span<byte> jtiBytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(jtiBytes);
        Span<char> jti = stackalloc char[22];
        Base64Url.EncodeToChars(jtiBytes, jti);
        var issuedAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();

        var payload = new ArrayBufferWriter<byte>(hint.Length + 512);
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("iss"u8, _clientId);
            json.WriteString("aud"u8, _audience);
            json.WriteString("client_id"u8, _clientId);
            json.WriteString("response_type"u8, "code"u8);
            json.WriteString("redirect_uri"u8, _redirectUri);
            json.WriteString("scope"u8, _scope);
            json.WriteString("state"u8, state);
            json.WriteString("nonce"u8, nonce);
            json.WriteString("code_challenge"u8, codeChallenge);
            json.WriteString("code_challenge_method"u8, "S256"u8);
            json.WriteString("login_hint"u8, hint);
            json.WriteNumber("iat"u8, issuedAt);
            json.WriteNumber("exp"u8, issuedAt + LifetimeSeconds);
            json.WriteString("jti"u8, jti);
            json.WriteEndObject();
        }

        // header.payload, then '.' and the signature over it, all in one buffer.
        var signingInputLength = Header.Length + 1 + Base64Url.GetEncodedLength(payload.WrittenCount);
        var length = signingInputLength + 1 + SignatureLength;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Header.CopyTo(buffer, 0);
            buffer[Header.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(payload.WrittenSpan, buffer.AsSpan(Header.Length + 1));
            buffer[signingInputLength] = (byte)'.';
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_key, buffer.AsSpan(0, signingInputLength), mac);
            Base64Url.EncodeToUtf8(mac, buffer.AsSpan(signingInputLength + 1));
            return Encoding.ASCII.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
