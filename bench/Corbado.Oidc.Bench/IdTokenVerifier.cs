using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench;

/// <summary>
/// What a relying party checks in an ID token (OIDC Core 3.1.3.7): an RS256 signature by a key of the server's JWKS
/// (fetched once, before timing), <c>iss</c>, <c>aud</c> (and <c>azp</c> when there are several audiences), <c>exp</c>,
/// <c>nbf</c> when present, a <c>sub</c>, and the <c>nonce</c> it sent. Written against the compact serialization
/// directly: a general token library spends several times the RSA verification itself on claims objects the driver
/// never reads, and that CPU comes out of the driver's one core.
/// </summary>
public sealed class IdTokenVerifier : IDisposable
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private readonly FrozenDictionary<string, RSA> _keys;
    private readonly RSA[] _allKeys;
    private readonly string _issuer;
    private readonly string _audience;
    private readonly TimeProvider _timeProvider;

    public IdTokenVerifier(string jwksJson, Uri issuer, BenchClient client, TimeProvider? timeProvider = null)
    {
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        var all = new List<RSA>();
        foreach (var jwk in new JsonWebKeySet(jwksJson).Keys)
        {
            // Signing keys only: an RSA key that is not marked for encryption, and, when it names one, made for RS256.
            if (jwk.Kty != "RSA" || jwk.Use == "enc" || (jwk.Alg is { Length: > 0 } alg && alg != "RS256"))
            {
                continue;
            }

            var rsa = RSA.Create(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(jwk.N), Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) });
            all.Add(rsa);
            if (jwk.Kid is { Length: > 0 } kid)
            {
                keys[kid] = rsa;
            }
        }

        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
        _allKeys = all.Count > 0 ? [.. all] : throw new InvalidOperationException("The server's JWKS has no RSA signing key.");
        _issuer = issuer.AbsoluteUri;
        _audience = client.ClientId;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Null when the token is valid, else why not.</summary>
    public string? Verify(string idToken, string expectedNonce)
    {
        var firstDot = idToken.IndexOf('.');
        var secondDot = firstDot < 0 ? -1 : idToken.IndexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || idToken.IndexOf('.', secondDot + 1) >= 0)
        {
            return "not_a_compact_jws";
        }

        var rented = ArrayPool<byte>.Shared.Rent(idToken.Length * 2);
        try
        {
            var buffer = rented.AsSpan();
            if (Decode(idToken.AsSpan(0, firstDot), buffer, out var headerLength) is { } headerProblem)
            {
                return headerProblem;
            }

            if (Header(buffer[..headerLength], out var kid) is { } problem)
            {
                return problem;
            }

            var signatureBuffer = buffer[headerLength..];
            if (Decode(idToken.AsSpan(secondDot + 1), signatureBuffer, out var signatureLength) is { } signatureProblem)
            {
                return signatureProblem;
            }

            var signature = signatureBuffer[..signatureLength];
            var signingInput = signatureBuffer[signatureLength..][..secondDot];
            if (Encoding.ASCII.GetBytes(idToken.AsSpan(0, secondDot), signingInput) != secondDot)
            {
                return "not_ascii";
            }

            if (!SignatureValid(kid, signingInput, signature))
            {
                return "bad_signature";
            }

            var payloadBuffer = signatureBuffer[(signatureLength + secondDot)..];
            if (Decode(idToken.AsSpan(firstDot + 1, secondDot - firstDot - 1), payloadBuffer, out var payloadLength) is { } payloadProblem)
            {
                return payloadProblem;
            }

            return Payload(payloadBuffer[..payloadLength], expectedNonce);
        }
        catch (JsonException)
        {
            return "malformed_json";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Dispose()
    {
        foreach (var key in _allKeys)
        {
            key.Dispose();
        }
    }

    private static string? Decode(ReadOnlySpan<char> segment, Span<byte> destination, out int written) =>
        Base64Url.DecodeFromChars(segment, destination, out _, out written) == OperationStatus.Done ? null : "bad_base64url";

    /// <summary>RFC 7515 §4.1: alg must be RS256 (no <c>none</c>, no HMAC); a <c>crit</c> header is not understood, so refused.</summary>
    private static string? Header(ReadOnlySpan<byte> json, out string? kid)
    {
        kid = null;
        var alg = false;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "bad_header";
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("alg"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("RS256"u8))
                {
                    return "alg_not_rs256";
                }

                alg = true;
            }
            else if (reader.ValueTextEquals("kid"u8))
            {
                reader.Read();
                kid = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("crit"u8))
            {
                return "crit_header";
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return alg ? null : "alg_missing";
    }

    private bool SignatureValid(string? kid, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (kid is not null)
        {
            return _keys.TryGetValue(kid, out var key) && key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        foreach (var key in _allKeys)
        {
            if (key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return true;
            }
        }

        return false;
    }

    private string? Payload(ReadOnlySpan<byte> json, string expectedNonce)
    {
        bool issuer = false, audience = false, nonce = false, subject = false, severalAudiences = false;
        bool? authorizedParty = null;
        long? expires = null, notBefore = null;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "bad_payload";
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("iss"u8))
            {
                reader.Read();
                issuer = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(_issuer);
            }
            else if (reader.ValueTextEquals("aud"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    audience = reader.ValueTextEquals(_audience);
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    var count = 0;
                    while (reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        count++;
                        audience |= reader.ValueTextEquals(_audience);
                    }

                    severalAudiences = count > 1;
                }
            }
            else if (reader.ValueTextEquals("azp"u8))
            {
                reader.Read();
                authorizedParty = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(_audience);
            }
            else if (reader.ValueTextEquals("exp"u8))
            {
                reader.Read();
                expires = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var expValue) ? expValue : null;
            }
            else if (reader.ValueTextEquals("nbf"u8))
            {
                reader.Read();
                notBefore = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var nbfValue) ? nbfValue : long.MaxValue;
            }
            else if (reader.ValueTextEquals("nonce"u8))
            {
                reader.Read();
                nonce = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(expectedNonce);
            }
            else if (reader.ValueTextEquals("sub"u8))
            {
                reader.Read();
                subject = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)ClockSkew.TotalSeconds;
        return !issuer ? "iss_mismatch"
            : !audience ? "aud_mismatch"
            : severalAudiences && authorizedParty != true ? "azp_mismatch" // OIDC Core 3.1.3.7 items 4 and 5
            : authorizedParty == false ? "azp_mismatch"
            : expires is not { } exp ? "exp_missing"
            : exp <= now - skew ? "expired"
            : notBefore is { } nbf && nbf > now + skew ? "not_yet_valid"
            : !subject ? "sub_missing"
            : !nonce ? "nonce_mismatch"
            : null;
    }
}
