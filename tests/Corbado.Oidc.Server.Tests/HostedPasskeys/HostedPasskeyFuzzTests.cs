using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// Malformed and mutated ceremony bodies (JSON, base64url, CBOR, COSE keys, truncated authenticator data) at the hosted
/// pages' verify calls: always a 400, never a 500, no code issued and no passkey stored. One server for the class, a
/// user and an authenticator of its own for each test; no test of the class may ever issue a code.
/// </summary>
public sealed class HostedPasskeyFuzzTests : IClassFixture<SharedServers>, IDisposable
{
    private readonly string _subject = "fuzzed-user-" + Guid.NewGuid().ToString("N");
    private readonly CorbadoOidcServerFactory _factory;
    private readonly HttpClient _client;
    private readonly SoftwareAuthenticator _authenticator = new("https://localhost", "localhost");

    public HostedPasskeyFuzzTests(SharedServers servers)
    {
        _factory = servers.Get("hosted", settings =>
        {
            HostedPasskeyDriver.AddHostedClient(settings);
            // Hundreds of ceremonies from one address: the per-IP limit is not what these tests are about.
            settings["RateLimiting:Enabled"] = "false";
        });
        _client = _factory.CreateProtocolClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _authenticator.Dispose();
    }

    /// <summary>Structural breakage of a valid credential JSON, by name.</summary>
    public static TheoryData<string> Breakages => new()
    {
        "not_json", "json_array", "credential_missing", "credential_string", "response_null", "id_number", "signature_not_base64",
        "authenticator_data_truncated", "authenticator_data_empty", "client_data_not_json", "client_data_wrong_type", "attestation_object_garbage",
        "attestation_cbor_not_map", "cose_key_garbage", "huge_string", "deep_nesting",
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task SignInVerify_MalformedBody_400_NoCode(string breakage)
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, _subject, _authenticator);
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request });
        var body = Break(breakage, new JsonObject { ["request"] = request, ["ceremony"] = ceremony, ["credential"] = _authenticator.Assert(publicKey) });

        using var response = await _client.PostAsync("passkeys/sign-in/verify", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync(context => context.AuthorizationCodes));
    }

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task EnrolVerify_MalformedBody_400_NothingStored(string breakage)
    {
        var token = await HostedPasskeyDriver.NewEnrolmentTokenAsync(_factory, _subject);
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/enrol/options", new { token });
        var body = Break(breakage, new JsonObject { ["token"] = token, ["ceremony"] = ceremony, ["credential"] = _authenticator.Register(publicKey) });

        using var response = await _client.PostAsync("passkeys/enrol/verify", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync(context => context.PasskeyCredentials.Where(credential => credential.Subject == _subject)));
    }

    [Fact]
    public async Task SignInVerify_RandomByteMutations_Never500_NoCode()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, _subject, _authenticator);
        var random = new Random(20);
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        foreach (var field in new[] { "clientDataJSON", "authenticatorData", "signature", "userHandle" })
        {
            for (var round = 0; round < 12; round++)
            {
                var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request });
                var credential = _authenticator.Assert(publicKey);
                var response = credential["response"]!;
                // Bytes appended after a DER signature leave it the same signature (the library reads the DER sequence), so
                // the signature is only flipped or cut.
                response[field] = Mutate(random, Base64UrlEncoder.DecodeBytes(response[field]!.GetValue<string>()), allowAppend: field != "signature");
                using var answer = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential });
                Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{field} round {round}: {(int)answer.StatusCode}");
            }
        }

        Assert.Equal(0, await CountAsync(context => context.AuthorizationCodes));
    }

    [Fact]
    public async Task EnrolVerify_RandomByteMutations_Never500()
    {
        var random = new Random(21);
        var token = await HostedPasskeyDriver.NewEnrolmentTokenAsync(_factory, _subject);
        foreach (var field in new[] { "clientDataJSON", "attestationObject" })
        {
            for (var round = 0; round < 12; round++)
            {
                var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/enrol/options", new { token });
                var credential = _authenticator.Register(publicKey);
                var response = credential["response"]!;
                response[field] = Mutate(random, Base64UrlEncoder.DecodeBytes(response[field]!.GetValue<string>()));
                using var answer = await HostedPasskeyDriver.PostAsync(_client, "passkeys/enrol/verify", new { token, ceremony, credential });
                // Attestation "none" signs nothing: a mutation inside the credential data may still register (and spend
                // the link); anything else is a 400. Never a 500.
                Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.OK, $"{field} round {round}: {(int)answer.StatusCode}");
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    token = await HostedPasskeyDriver.NewEnrolmentTokenAsync(_factory, _subject);
                }
            }
        }
    }

    private static string Mutate(Random random, byte[] bytes, bool allowAppend = true)
    {
        switch (random.Next(allowAppend ? 3 : 2))
        {
            case 0 when bytes.Length > 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return Base64UrlEncoder.Encode(bytes);
            case 1:
                return Base64UrlEncoder.Encode(bytes[..random.Next(bytes.Length)]);
            default:
                var longer = new byte[bytes.Length + random.Next(1, 40)];
                random.NextBytes(longer);
                bytes.CopyTo(longer, 0);
                return Base64UrlEncoder.Encode(longer);
        }
    }

    private static string Break(string breakage, JsonObject body)
    {
        var credential = body["credential"]!.AsObject();
        var response = credential["response"]!.AsObject();
        switch (breakage)
        {
            case "not_json": return "{\"request\": ";
            case "json_array": return "[" + body.ToJsonString() + "]";
            case "credential_missing": body.Remove("credential"); break;
            case "credential_string": body["credential"] = "x"; break;
            case "response_null": credential["response"] = null; break;
            case "id_number": credential["id"] = 42; credential["rawId"] = 42; break;
            case "signature_not_base64": response[response.ContainsKey("signature") ? "signature" : "attestationObject"] = "***"; break;
            case "authenticator_data_truncated":
                response[response.ContainsKey("authenticatorData") ? "authenticatorData" : "attestationObject"] = Base64UrlEncoder.Encode(new byte[20]);
                break;
            case "authenticator_data_empty":
                response[response.ContainsKey("authenticatorData") ? "authenticatorData" : "attestationObject"] = "";
                break;
            case "client_data_not_json": response["clientDataJSON"] = Base64UrlEncoder.Encode("not json"u8.ToArray()); break;
            case "client_data_wrong_type":
                response["clientDataJSON"] = Base64UrlEncoder.Encode("{\"type\":\"payment.get\",\"challenge\":\"AA\",\"origin\":\"https://localhost\"}"u8.ToArray());
                break;
            case "attestation_object_garbage":
                response["attestationObject"] = Base64UrlEncoder.Encode([0xbf, 0xff, 0x00, 0x13]);
                response["authenticatorData"] = Base64UrlEncoder.Encode([0xa1, 0x01]);
                break;
            case "attestation_cbor_not_map":
                response["attestationObject"] = Base64UrlEncoder.Encode([0x83, 0x01, 0x02, 0x03]);
                response["authenticatorData"] = Base64UrlEncoder.Encode([0x83, 0x01, 0x02, 0x03]);
                break;
            case "cose_key_garbage":
                // A registration whose attested credential data ends in a COSE key that is not one; for an assertion,
                // authenticator data claiming attested credential data it does not carry.
                var data = new byte[37 + 16 + 2 + 4 + 3];
                data[32] = 0x45;
                data[37 + 16 + 1] = 4;
                data[^3] = 0xa1;
                data[^2] = 0x01;
                data[^1] = 0x63;
                response["authenticatorData"] = Base64UrlEncoder.Encode(data);
                if (response.ContainsKey("attestationObject"))
                {
                    response["attestationObject"] = Base64UrlEncoder.Encode(SoftwareAuthenticator.NoneAttestation(data));
                }

                break;
            case "huge_string": response[response.ContainsKey("signature") ? "signature" : "attestationObject"] = new string('A', 60_000); break;
            case "deep_nesting": return new string('[', 2000) + new string(']', 2000);
        }

        return body.ToJsonString();
    }

    private async Task<int> CountAsync<T>(Func<OidcDbContext, IQueryable<T>> table)
    {
        await using var context = await _factory.Services.GetRequiredService<IDbContextFactory<OidcDbContext>>().CreateDbContextAsync();
        return await table(context).CountAsync();
    }
}
