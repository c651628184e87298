using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Testing;

/// <summary>
/// A WebAuthn authenticator and client in code, for tests of the relying party's every refusal without a browser: one
/// ES256 discoverable credential, attestation <c>none</c>, and knobs to get each field wrong (origin, RP ID, flags,
/// counter). Builds the JSON a browser's page would post (base64url members, WebAuthn Level 3 §5.1 toJSON).
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SoftwareAuthenticator(string origin, string rpId)
    {
        Origin = origin;
        RpId = rpId;
    }

    public string Origin { get; set; }
    public string RpId { get; set; }
    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);
    public string CredentialIdText => Base64UrlEncoder.Encode(CredentialId);
    public byte[]? UserHandle { get; private set; }
    public uint SignCount { get; set; }
    public bool UserVerified { get; set; } = true;
    public bool UserPresent { get; set; } = true;

    /// <summary>The counter the next assertion reports; default: one more each time.</summary>
    public Func<uint>? NextSignCount { get; set; }

    /// <summary>The credential JSON for <c>navigator.credentials.create</c> options (the <c>publicKey</c> member).</summary>
    public JsonObject Register(JsonElement publicKey)
    {
        UserHandle = Base64UrlEncoder.DecodeBytes(publicKey.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", publicKey.GetProperty("challenge").GetString()!);
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64UrlEncoder.Encode(clientData),
            ["attestationObject"] = Base64UrlEncoder.Encode(NoneAttestation(AuthenticatorData(withCredential: true, SignCount))),
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary>An attestation object of format <c>none</c> around <paramref name="authenticatorData"/> (WebAuthn §6.5, §8.7).</summary>
    public static byte[] NoneAttestation(byte[] authenticatorData)
    {
        var attestation = new CborWriter();
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authenticatorData);
        attestation.WriteEndMap();
        return attestation.Encode();
    }

    /// <summary>The credential JSON for <c>navigator.credentials.get</c> options (the <c>publicKey</c> member).</summary>
    public JsonObject Assert(JsonElement publicKey, string? challenge = null)
    {
        SignCount = NextSignCount?.Invoke() ?? SignCount + 1;
        var clientData = ClientData("webauthn.get", challenge ?? publicKey.GetProperty("challenge").GetString()!);
        var authenticatorData = AuthenticatorData(withCredential: false, SignCount);
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var response = new JsonObject
        {
            ["clientDataJSON"] = Base64UrlEncoder.Encode(clientData),
            ["authenticatorData"] = Base64UrlEncoder.Encode(authenticatorData),
            ["signature"] = Base64UrlEncoder.Encode(signature),
        };
        if (UserHandle is not null)
        {
            response["userHandle"] = Base64UrlEncoder.Encode(UserHandle);
        }

        return Credential(response);
    }

    private JsonObject Credential(JsonObject response) => new()
    {
        ["id"] = CredentialIdText,
        ["rawId"] = CredentialIdText,
        ["type"] = "public-key",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
    };

    private byte[] ClientData(string type, string challenge)
        => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type, challenge, origin = Origin, crossOrigin = false }));

    /// <summary>WebAuthn §6.1: rpIdHash, flags, counter, and for registration the attested credential data.</summary>
    private byte[] AuthenticatorData(bool withCredential, uint signCount)
    {
        var flags = (byte)((UserPresent ? 0x01 : 0) | (UserVerified ? 0x04 : 0) | (withCredential ? 0x40 : 0));
        var data = new List<byte>(SHA256.HashData(Encoding.UTF8.GetBytes(RpId))) { flags };
        data.AddRange(BitConverter.IsLittleEndian ? BitConverter.GetBytes(signCount).Reverse() : BitConverter.GetBytes(signCount));
        if (withCredential)
        {
            data.AddRange(new byte[16]);
            data.Add((byte)(CredentialId.Length >> 8));
            data.Add((byte)CredentialId.Length);
            data.AddRange(CredentialId);
            data.AddRange(CoseKey());
        }

        return [.. data];
    }

    /// <summary>The public key as a COSE_Key (RFC 9052 §7; EC2, P-256, ES256).</summary>
    private byte[] CoseKey()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(3);
        writer.WriteInt32(-7);
        writer.WriteInt32(-1);
        writer.WriteInt32(1);
        writer.WriteInt32(-2);
        writer.WriteByteString(parameters.Q.X!);
        writer.WriteInt32(-3);
        writer.WriteByteString(parameters.Q.Y!);
        writer.WriteEndMap();
        return writer.Encode();
    }

    public void Dispose() => _key.Dispose();
}
