using System.Text.Json.Nodes;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Replay;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Corbado.Oidc.Core.Tests.PasskeyLogin;

/// <summary>
/// docs/login-rules.md §2.2: a claim of the wrong JSON type is <c>malformed</c> even under a valid signature (every hint
/// here is re-signed with the trusted key after its payload is bent), and nothing is consumed for it.
/// </summary>
public sealed class TypedClaimTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TestSigningKey _key = TestSigningKey.CreateRsa();
    private readonly InMemoryReplayGuard _replay;
    private readonly HintMinter _minter;
    private readonly SignedPasskeyDataVerifier _verifier;

    public TypedClaimTests()
    {
        _replay = new InMemoryReplayGuard(_clock);
        _minter = new HintMinter(_key, HintMinter.DefaultProjectId, _clock);
        var jwks = TestSigningKey.ToJwksJson(_key);
        var resolver = new JwksKeyResolver(_ => Task.FromResult(jwks), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), _clock);
        _verifier = new SignedPasskeyDataVerifier(
            Microsoft.Extensions.Options.Options.Create(new CorbadoOptions { ProjectId = HintMinter.DefaultProjectId, JwksFile = "unused" }),
            resolver, _replay, _clock);
    }

    public void Dispose() => _key.Dispose();

    public static TheoryData<string, string> WronglyTyped => new()
    {
        { "exp", "\"1796075861\"" },
        { "exp", "\"0\"" },
        { "nbf", "\"0\"" },
        { "iat", "\"1796075861\"" },
        { "exp", "true" },
        { "exp", "null" },
        { "exp", "[1796075861]" },
        { "exp", "1e300" },
        { "iat", "-1" },
        { "webauthnId", "true" },
        { "webauthnId", "[\"ß\"]" },
        { "webauthnId", "{\"a\":\"b\"}" },
        { "webauthnId", "42" },
        { "webauthnId", "null" },
        { "iss", "7815296293940881620" },
        { "iss", "[\"pro-7815296293940881620\"]" },
        { "jti", "12345" },
        { "sub", "false" },
        { "username", "null" },
        { "credential", "{}" },
        { "isCUI", "\"false\"" },
        { "isCUI", "0" },
    };

    [Theory]
    [MemberData(nameof(WronglyTyped))]
    public async Task Verify_ValidlySignedClaimOfWrongJsonType_IsMalformedAndConsumesNothing(string claim, string json)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var hint = _minter.Mint(payload =>
        {
            // Whole-number dates kept realistic where the mutated claim is another one.
            payload["exp"] = now + 300;
            payload[claim] = JsonNode.Parse(json);
        });

        var result = await _verifier.VerifyAsync(hint, CancellationToken.None);

        Assert.Equal(PasskeyLoginFailure.Malformed, result.Failure);
        Assert.Equal(0, _replay.Count);
    }

    [Fact]
    public async Task Verify_FractionalNumericDatesAndAbsentOptionalClaims_AreAccepted()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var hint = _minter.Mint(payload =>
        {
            payload["exp"] = now + 300.5;
            payload["iat"] = now - 0.25;
            payload.Remove("nbf");
            payload.Remove("username");
            payload.Remove("isCUI");
            payload.Remove("sub");
        });

        var result = await _verifier.VerifyAsync(hint, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.ToReasonCode());
        Assert.Null(result.Login.PasskeyUserId);
    }

    [Theory]
    [InlineData("kid", "42")]
    [InlineData("kid", "[\"k\"]")]
    [InlineData("alg", "[\"RS256\"]")]
    public async Task Verify_HeaderMemberOfWrongJsonType_IsMalformed(string member, string json)
    {
        var hint = _minter.Mint(header: header => header[member] = JsonNode.Parse(json));

        var result = await _verifier.VerifyAsync(hint, CancellationToken.None);

        Assert.Equal(PasskeyLoginFailure.Malformed, result.Failure);
    }
}
