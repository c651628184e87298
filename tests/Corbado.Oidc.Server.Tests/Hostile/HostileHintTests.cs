using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.Hostile;

/// <summary>
/// Issue 5: forged and malformed signedPasskeyData sent through /authorize. Each one is answered with an error
/// redirect (access_denied) to the registered redirect URI, never a code, a token or a 500. One server for the class:
/// each test mints its own hint and reads only its own answer.
/// </summary>
public sealed class HostileHintTests(SharedServers servers) : IClassFixture<SharedServers>
{
    public static TheoryData<string> HostileHints => new()
    {
        "alg_none", "alg_hs256_with_rsa_public_key", "alg_ps256_not_allowed", "alg_es512_unsupported", "alg_lowercase_rs256",
        "kid_path_traversal", "kid_sql", "kid_very_long", "kid_number", "jku_to_attacker", "x5u_to_attacker", "jwk_embedded_attacker",
        "x5c_embedded_attacker", "crit_unknown", "bad_base64url", "two_segments", "four_segments", "jwe_five_segments",
        "duplicate_iss_members", "exp_not_numeric", "exp_overflowing", "exp_negative", "iss_number", "iss_array",
        "iss_unicode_lookalike", "iss_trailing_space", "payload_not_json", "payload_json_array", "header_not_json",
        "empty_signature", "signature_of_other_key", "utf8_bom_payload",
    };

    /// <summary>A hostile hint; <paramref name="clock"/> is the server's (a shared server's fake clock stands still while real time passes).</summary>
    private static string Forge(string kind, HintMinter minter, TimeProvider clock)
    {
        var header = minter.DefaultHeader().ToJsonString();
        var payload = minter.DefaultPayload().ToJsonString();
        using var attacker = TestSigningKey.CreateRsa(minter.Key.KeyId);
        return kind switch
        {
            "alg_none" => HintMinter.Unsigned(minter.DefaultHeader().With("alg", "none"), payload),
            "alg_hs256_with_rsa_public_key" => HintMinter.SignHs256(minter.DefaultHeader().With("alg", "HS256"), payload,
                minter.Key.Rsa!.ExportSubjectPublicKeyInfo()),
            "alg_ps256_not_allowed" => minter.Sign(minter.DefaultHeader().With("alg", "PS256"), payload),
            "alg_es512_unsupported" => minter.Sign(minter.DefaultHeader().With("alg", "ES512"), payload),
            "alg_lowercase_rs256" => minter.Sign(minter.DefaultHeader().With("alg", "rs256"), payload),
            "kid_path_traversal" => minter.Sign(minter.DefaultHeader().With("kid", "../../../../etc/passwd"), payload),
            "kid_sql" => minter.Sign(minter.DefaultHeader().With("kid", "' OR '1'='1'; DROP TABLE OpenIddictTokens;--"), payload),
            "kid_very_long" => minter.Sign(minter.DefaultHeader().With("kid", new string('k', 4000)), payload),
            "kid_number" => minter.Sign(minter.DefaultHeader().With("kid", 12345), payload),
            "jku_to_attacker" => new HintMinter(attacker, minter.ProjectId, clock).Mint(header: h => h["jku"] = "https://attacker.example/jwks"),
            "x5u_to_attacker" => new HintMinter(attacker, minter.ProjectId, clock).Mint(header: h => h["x5u"] = "https://attacker.example/cert.pem"),
            "jwk_embedded_attacker" => new HintMinter(attacker, minter.ProjectId, clock).Mint(header: h => h["jwk"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(attacker.ToPublicJwk()))),
            "x5c_embedded_attacker" => new HintMinter(attacker, minter.ProjectId, clock).Mint(header: h => h["x5c"] = new JsonArray("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")),
            "crit_unknown" => minter.Mint(header: h => { h["crit"] = new JsonArray("exp-wrapper"); h["exp-wrapper"] = true; }),
            "bad_base64url" => "eyJ!!!.eyJ***.sig+/=",
            "two_segments" => string.Join('.', minter.Mint().Split('.')[..2]),
            "four_segments" => minter.Mint() + ".extra",
            "jwe_five_segments" => HintMinter.Encode("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"" + minter.Key.KeyId + "\"}") + ".AAAA.AAAA.AAAA.AAAA",
            "duplicate_iss_members" => minter.Sign(header, payload.Replace("{\"iss\":\"" + minter.ProjectId + "\"", "{\"iss\":\"pro-evil\",\"iss\":\"" + minter.ProjectId + "\"", StringComparison.Ordinal)),
            "exp_not_numeric" => minter.Mint(p => p["exp"] = "tomorrow"),
            "exp_overflowing" => minter.Sign(header, payload.Replace("\"exp\":", "\"exp\":99999999999999999999999999999999,\"x\":", StringComparison.Ordinal)),
            "exp_negative" => minter.Mint(p => p["exp"] = -1),
            "iss_number" => minter.Mint(p => p["iss"] = 7815296293940881620),
            "iss_array" => minter.Mint(p => p["iss"] = new JsonArray(minter.ProjectId)),
            "iss_unicode_lookalike" => minter.Mint(p => p["iss"] = minter.ProjectId.Replace('o', 'о')),
            "iss_trailing_space" => minter.Mint(p => p["iss"] = minter.ProjectId + " "),
            "payload_not_json" => minter.Sign(header, "not json at all"),
            "payload_json_array" => minter.Sign(header, "[1,2,3]"),
            "header_not_json" => minter.Sign("{\"alg\":\"RS256\",", payload),
            "empty_signature" => HintMinter.Unsigned(header, payload),
            "signature_of_other_key" => new HintMinter(attacker, minter.ProjectId, clock).Mint(),
            "utf8_bom_payload" => minter.Sign(header, "\uFEFF" + payload),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(HostileHints))]
    public async Task Authorize_HostileHint_RedirectsWithErrorAndNoCode(string kind)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(Forge(kind, factory.Minter, factory.Clock));

        var response = await client.AuthorizeAsync(request, usePost: true);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialRedirectUri, response.RedirectTarget!.GetLeftPart(UriPartial.Path));
        Assert.Null(response.Code);
        Assert.Equal("access_denied", response.Error);
        Assert.Equal(request["state"], response.Get("state"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Authorize_NulCharactersInHint_AnswersInvalidRequestWithoutCode(bool usePost)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint() + "\0\0");

        var response = await client.AuthorizeAsync(request, usePost);

        Assert.Null(response.Code);
        if (usePost)
        {
            // ASP.NET Core's form reader refuses NUL; a body that cannot be read has no trustworthy client or
            // redirect URI, so the error is answered here (RFC 6749 §4.1.2.1), as JSON, never as a 500.
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"invalid_request\"", response.Body);
        }
        else
        {
            Assert.Equal("access_denied", response.Error);
            Assert.Equal(request["state"], response.Get("state"));
        }
    }

    [Theory]
    [InlineData(8 * 1024)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task Authorize_OversizedHintByPost_IsRefusedWithoutCode(int size)
    {
        var factory = servers.Default;
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint(p => p["padding"] = new string('p', size));
        var request = OidcProtocol.AuthorizeParameters(hint);

        var response = await client.AuthorizeAsync(request, usePost: true);

        Assert.Null(response.Code);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, response.StatusCode.ToString());
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.Equal("access_denied", response.Error);
        }
    }

    [Theory]
    [InlineData(8 * 1024)]
    [InlineData(64 * 1024)]
    public async Task Authorize_OversizedHintInQuery_IsRefusedWithoutCodeOr500(int size)
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = factory.StartOnKestrel() };
        var request = OidcProtocol.AuthorizeParameters(factory.Minter.Mint(p => p["padding"] = RandomNumberGenerator.GetHexString(size)));

        var response = await client.AuthorizeAsync(request);

        Assert.Null(response.Code);
        Assert.True((int)response.StatusCode is >= 300 and < 500, response.StatusCode.ToString());
    }

    [Fact]
    public async Task Authorize_SameHintFiftyTimesConcurrently_ExactlyOneCode()
    {
        // Its own server: fifty requests at once would take most of the shared server's /authorize rate-limit bucket.
        using var factory = new CorbadoOidcServerFactory();
        var hint = factory.Minter.Mint();
        var clients = Enumerable.Range(0, 50).Select(_ => factory.CreateProtocolClient()).ToList();

        var responses = await Task.WhenAll(clients.Select(c => c.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint))));

        Assert.Single(responses, r => r.Code is not null);
        Assert.All(responses.Where(r => r.Code is null), r => Assert.Equal("access_denied", r.Error));
        clients.ForEach(c => c.Dispose());
    }
}

internal static class JsonObjectEdits
{
    /// <summary>The header with one member replaced, as JSON text.</summary>
    public static string With(this JsonObject header, string name, JsonNode? value)
    {
        header[name] = value;
        return header.ToJsonString();
    }
}
