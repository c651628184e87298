using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Replay;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Corbado.Oidc.Core.Tests.PasskeyLogin;

/// <summary>docs/login-rules.md §2: every refusal of a signedPasskeyData carries its stable reason code.</summary>
public sealed class VerifierReasonCodeTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TestSigningKey _key = TestSigningKey.CreateRsa();
    private readonly InMemoryReplayGuard _replay;
    private readonly HintMinter _minter;

    public VerifierReasonCodeTests()
    {
        _replay = new InMemoryReplayGuard(_clock);
        _minter = new HintMinter(_key, HintMinter.DefaultProjectId, _clock);
    }

    public void Dispose() => _key.Dispose();

    private SignedPasskeyDataVerifier CreateVerifier(Action<CorbadoOptions>? configure = null, params TestSigningKey[] keys)
    {
        var options = new CorbadoOptions { ProjectId = HintMinter.DefaultProjectId, JwksFile = "unused" };
        configure?.Invoke(options);
        var jwks = TestSigningKey.ToJwksJson(keys.Length == 0 ? [_key] : keys);
        var resolver = new JwksKeyResolver(_ => Task.FromResult(jwks), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), _clock);
        return new SignedPasskeyDataVerifier(Microsoft.Extensions.Options.Options.Create(options), resolver, _replay, _clock);
    }

    private async Task<PasskeyLoginResult> VerifyAsync(string hint, Action<CorbadoOptions>? configure = null)
        => await CreateVerifier(configure).VerifyAsync(hint, CancellationToken.None);

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    [Fact]
    public async Task Verify_ValidHint_ReturnsLoginWithSubjectFromWebAuthnId()
    {
        var result = await VerifyAsync(_minter.Mint(webAuthnId: "user-123"));

        Assert.True(result.Succeeded);
        Assert.Equal("user-123", result.Login.Subject);
        Assert.Equal("usr-676138078732345317", result.Login.PasskeyUserId);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), result.Login.AuthenticatedAt.ToUnixTimeSeconds());
        Assert.Equal(_key.KeyId, result.Login.KeyId);
    }

    [Fact]
    public async Task Verify_ConfiguredSubjectClaim_UsesThatClaim()
    {
        var result = await VerifyAsync(_minter.Mint(), o => o.SubjectClaim = "sub");

        Assert.Equal("usr-676138078732345317", result.Login!.Subject);
    }

    [Fact]
    public async Task Verify_AlgNone_IsUnsupportedAlg()
    {
        var hint = HintMinter.Unsigned(Json(new { alg = "none", kid = _key.KeyId, typ = "JWT" }), _minter.DefaultPayload().ToJsonString());

        Assert.Equal(PasskeyLoginFailure.UnsupportedAlg, (await VerifyAsync(hint + "AAAA")).Failure);
        Assert.Equal(PasskeyLoginFailure.Malformed, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_Hs256KeyedWithRsaPublicKey_IsUnsupportedAlg()
    {
        var publicPem = Encoding.ASCII.GetBytes(_key.Rsa!.ExportSubjectPublicKeyInfoPem());
        var hint = HintMinter.SignHs256(Json(new { alg = "HS256", kid = _key.KeyId, typ = "JWT" }), _minter.DefaultPayload().ToJsonString(), publicPem);

        Assert.Equal(PasskeyLoginFailure.UnsupportedAlg, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_Es256WhenOnlyRs256Allowed_IsUnsupportedAlg()
    {
        using var ecKey = TestSigningKey.CreateEcdsa();
        var hint = new HintMinter(ecKey, HintMinter.DefaultProjectId, _clock).Mint();

        Assert.Equal(PasskeyLoginFailure.UnsupportedAlg, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_Es256WhenConfigured_Succeeds()
    {
        using var ecKey = TestSigningKey.CreateEcdsa();
        var verifier = CreateVerifier(o => o.Algorithms = ["ES256"], ecKey);

        var result = await verifier.VerifyAsync(new HintMinter(ecKey, HintMinter.DefaultProjectId, _clock).Mint(), CancellationToken.None);

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("jku", "https://attacker.example/jwks.json")]
    [InlineData("x5u", "https://attacker.example/cert.pem")]
    public async Task Verify_KeyUrlHeaderPointingElsewhere_IsIgnoredAndAttackerSignatureRefused(string header, string url)
    {
        using var attacker = TestSigningKey.CreateRsa(_key.KeyId);
        var hint = new HintMinter(attacker, HintMinter.DefaultProjectId, _clock).Mint(header: h => h[header] = url);

        Assert.Equal(PasskeyLoginFailure.BadSignature, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_EmbeddedJwkHeader_IsNeverTrusted()
    {
        using var attacker = TestSigningKey.CreateRsa("attacker-kid");
        var jwk = System.Text.Json.Nodes.JsonNode.Parse(Json(attacker.ToPublicJwk()));
        var hint = new HintMinter(attacker, HintMinter.DefaultProjectId, _clock).Mint(header: h => h["jwk"] = jwk);

        Assert.Equal(PasskeyLoginFailure.UnknownKey, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_KidNotInJwks_IsUnknownKey()
    {
        var hint = _minter.Mint(header: h => h["kid"] = "pki-unknown");

        Assert.Equal(PasskeyLoginFailure.UnknownKey, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_KeySetCannotBeLoaded_IsKeysUnavailableNotUnknownKey()
    {
        var resolver = new JwksKeyResolver(_ => Task.FromException<string>(new HttpRequestException("down")), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), _clock);
        var verifier = new SignedPasskeyDataVerifier(
            Microsoft.Extensions.Options.Options.Create(new CorbadoOptions { ProjectId = HintMinter.DefaultProjectId, JwksUrl = new Uri("https://keys.example.com/jwks") }),
            resolver, _replay, _clock);

        var result = await verifier.VerifyAsync(_minter.Mint(), CancellationToken.None);

        Assert.Equal(PasskeyLoginFailure.KeysUnavailable, result.Failure);
        Assert.Equal("keys_unavailable", result.Failure!.Value.ToReasonCode());
        Assert.Equal(_key.KeyId, result.KeyId);
    }

    [Fact]
    public async Task Verify_MissingKid_IsUnknownKey()
    {
        var hint = _minter.Mint(header: h => h.Remove("kid"));

        Assert.Equal(PasskeyLoginFailure.UnknownKey, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_TamperedPayload_IsBadSignature()
    {
        var parts = _minter.Mint(webAuthnId: "alice").Split('.');
        var forged = _minter.DefaultPayload(webAuthnId: "mallory").ToJsonString();

        var result = await VerifyAsync($"{parts[0]}.{HintMinter.Encode(forged)}.{parts[2]}");

        Assert.Equal(PasskeyLoginFailure.BadSignature, result.Failure);
    }

    [Fact]
    public async Task Verify_WrongIssuer_IsWrongIssuer()
    {
        Assert.Equal(PasskeyLoginFailure.WrongIssuer, (await VerifyAsync(_minter.Mint(p => p["iss"] = "pro-other"))).Failure);
    }

    [Fact]
    public async Task Verify_NonStringIssuer_IsMalformed()
    {
        // RFC 7519 §4.1.1: iss is a StringOrURI; a number makes the token unreadable, not merely wrong.
        Assert.Equal(PasskeyLoginFailure.Malformed, (await VerifyAsync(_minter.Mint(p => p["iss"] = 7815296293940881620))).Failure);
    }

    [Fact]
    public async Task Verify_AfterExpiryPlusSkew_IsExpired()
    {
        var hint = _minter.Mint();
        _clock.Advance(TimeSpan.FromSeconds(300 + 61));

        Assert.Equal(PasskeyLoginFailure.Expired, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_ExpiredButWithinSkew_Succeeds()
    {
        var hint = _minter.Mint();
        _clock.Advance(TimeSpan.FromSeconds(300 + 30));

        Assert.True((await VerifyAsync(hint)).Succeeded);
    }

    [Fact]
    public async Task Verify_NotBeforeInFuture_IsNotYetValid()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();

        Assert.Equal(PasskeyLoginFailure.NotYetValid, (await VerifyAsync(_minter.Mint(p => p["nbf"] = now + 120))).Failure);
    }

    [Fact]
    public async Task Verify_IssuedInFuture_IsNotYetValid()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();

        Assert.Equal(PasskeyLoginFailure.NotYetValid, (await VerifyAsync(_minter.Mint(p => p["iat"] = now + 120))).Failure);
    }

    [Fact]
    public async Task Verify_OlderThanMaxAge_IsTooOld()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var hint = _minter.Mint(p =>
        {
            p["iat"] = now - 600;
            p["exp"] = now + 600;
        });

        Assert.Equal(PasskeyLoginFailure.TooOld, (await VerifyAsync(hint)).Failure);
    }

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("1e400")]
    [InlineData("null")]
    public async Task Verify_UnusableExp_IsMalformed(string exp)
    {
        var payload = _minter.DefaultPayload();
        payload.Remove("exp");
        var json = payload.ToJsonString().TrimEnd('}') + ",\"exp\":" + exp + "}";

        Assert.Equal(PasskeyLoginFailure.Malformed, (await VerifyAsync(_minter.Sign(_minter.DefaultHeader().ToJsonString(), json))).Failure);
    }

    [Fact]
    public async Task Verify_MissingJti_IsMissingJti()
    {
        Assert.Equal(PasskeyLoginFailure.MissingJti, (await VerifyAsync(_minter.Mint(p => p.Remove("jti")))).Failure);
    }

    [Fact]
    public async Task Verify_MissingSubjectClaim_IsMissingSubject()
    {
        Assert.Equal(PasskeyLoginFailure.MissingSubject, (await VerifyAsync(_minter.Mint(p => p.Remove("webauthnId")))).Failure);
    }

    [Fact]
    public async Task Verify_SameHintTwice_SecondIsReplayed()
    {
        var verifier = CreateVerifier();
        var hint = _minter.Mint();

        var first = await verifier.VerifyAsync(hint, CancellationToken.None);
        var second = await verifier.VerifyAsync(hint, CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.Equal(PasskeyLoginFailure.Replayed, second.Failure);
    }

    [Fact]
    public async Task Verify_SameHintFiftyTimesConcurrently_ExactlyOneSucceeds()
    {
        var verifier = CreateVerifier();
        var hint = _minter.Mint();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => verifier.VerifyAsync(hint, CancellationToken.None).AsTask())));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(PasskeyLoginFailure.Replayed, r.Failure));
    }

    [Fact]
    public async Task Verify_FailedHint_ConsumesNothing()
    {
        await VerifyAsync(_minter.Mint(p => p["iss"] = "pro-other"));

        Assert.Equal(0, _replay.Count);
    }

    [Fact]
    public async Task Verify_OversizedHint_IsTooLarge()
    {
        var hint = _minter.Mint(p => p["padding"] = new string('a', 9000));

        Assert.Equal(PasskeyLoginFailure.TooLarge, (await VerifyAsync(hint)).Failure);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9..sig")]
    [InlineData("eyJ!bad.payload.sig")]
    [InlineData("")]
    public async Task Verify_NotACompactJws_IsMalformed(string hint)
    {
        Assert.Equal(PasskeyLoginFailure.Malformed, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_CritHeader_IsMalformed()
    {
        var hint = _minter.Mint(header: h => h["crit"] = new System.Text.Json.Nodes.JsonArray("exp"));

        Assert.Equal(PasskeyLoginFailure.Malformed, (await VerifyAsync(hint)).Failure);
    }

    [Theory]
    [InlineData("payload")]
    [InlineData("header")]
    public async Task Verify_DuplicateJsonMembers_IsMalformed(string part)
    {
        // Validly signed, but with two iss (or two alg) members: RFC 7519 §4 lets a parser refuse, and we do.
        var header = _minter.DefaultHeader().ToJsonString();
        var payload = _minter.DefaultPayload().ToJsonString();
        var hint = part == "payload"
            ? _minter.Sign(header, "{\"iss\":\"pro-evil\"," + payload[1..])
            : _minter.Sign("{\"alg\":\"none\"," + header[1..], payload);

        Assert.Equal(PasskeyLoginFailure.Malformed, (await VerifyAsync(hint)).Failure);
    }

    [Fact]
    public async Task Verify_SignatureOfOtherKeyWithSameKid_IsBadSignature()
    {
        using var other = TestSigningKey.CreateRsa(_key.KeyId);

        Assert.Equal(PasskeyLoginFailure.BadSignature, (await VerifyAsync(new HintMinter(other, HintMinter.DefaultProjectId, _clock).Mint())).Failure);
    }

    [Fact]
    public void ReasonCodes_AreStableSnakeCase()
    {
        var codes = Enum.GetValues<PasskeyLoginFailure>().Select(f => f.ToReasonCode()).ToList();

        Assert.Equal(
            ["malformed", "too_large", "unsupported_alg", "unknown_key", "bad_signature", "wrong_issuer", "expired", "not_yet_valid",
             "too_old", "missing_jti", "missing_subject", "replayed", "remote_rejected", "remote_unavailable",
             "keys_unavailable"],
            codes);
    }

    [Fact]
    public void ReplayKey_LengthPrefixKeepsAmbiguousPairsApart()
    {
        Assert.NotEqual(ReplayKey.For("a|b", "c"), ReplayKey.For("a", "b|c"));
        Assert.Equal(ReplayKey.For("iss", "jti"), ReplayKey.For("iss", "jti"));
        Assert.Equal(64, ReplayKey.For("iss", "jti").Length);
    }
}
