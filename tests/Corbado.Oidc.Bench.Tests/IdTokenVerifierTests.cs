using System.Security.Cryptography;
using System.Text;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench.Tests;

/// <summary>The benchmark's relying-party check of an ID token (OIDC Core 3.1.3.7), on Microsoft.IdentityModel.</summary>
public sealed class IdTokenVerifierTests : IDisposable
{
    private static readonly Uri Issuer = new("https://127.0.0.1:5001/");
    private static readonly BenchClient Client = new("bench-rp", "secret", "https://rp.bench.local/callback");
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
    private readonly TestSigningKey _serverKey = TestSigningKey.CreateRsa();
    private readonly TestSigningKey _otherKey = TestSigningKey.CreateRsa();
    private readonly FakeTimeProvider _clock = new(Now);

    public void Dispose()
    {
        _serverKey.Dispose();
        _otherKey.Dispose();
    }

    private IdTokenVerifier Verifier() => new(TestSigningKey.ToJwksJson(_serverKey), Issuer, Client, _clock);

    private string Token(Action<Dictionary<string, object>>? change = null, SigningCredentials? signing = null, IDictionary<string, object>? header = null)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = Issuer.AbsoluteUri,
            ["aud"] = Client.ClientId,
            ["azp"] = Client.ClientId,
            ["sub"] = "user-1",
            ["nonce"] = "n-1",
            ["iat"] = Now.ToUnixTimeSeconds(),
            ["nbf"] = Now.ToUnixTimeSeconds(),
            ["exp"] = Now.AddMinutes(5).ToUnixTimeSeconds(),
        };
        change?.Invoke(claims);
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = signing ?? Rs256(_serverKey),
            AdditionalHeaderClaims = header,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private static SigningCredentials Rs256(TestSigningKey key) => new(new RsaSecurityKey(key.Rsa) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSha256);

    [Fact]
    public async Task Verify_TokenAsTheServerSignsIt_IsValid()
        => Assert.Null(await Verifier().VerifyAsync(Token(), "n-1"));

    [Fact]
    public async Task Verify_RefreshAnswerWithoutNonce_IsValidWhenNoneWasSent()
        => Assert.Null(await Verifier().VerifyAsync(Token(c => c.Remove("nonce")), expectedNonce: null));

    public static TheoryData<string, string> Refused => new()
    {
        { "nonce", "nonce_mismatch" },
        { "no nonce", "nonce_mismatch" },
        { "unexpected nonce", "unexpected_nonce" },
        { "issuer", "iss_mismatch" },
        { "audience", "aud_mismatch" },
        { "several audiences without azp", "azp_mismatch" },
        { "foreign azp", "azp_mismatch" },
        { "expired", "expired_or_not_yet_valid" },
        { "not yet valid", "expired_or_not_yet_valid" },
        { "no exp", "expired_or_not_yet_valid" },
        { "no sub", "sub_missing" },
        { "other key", "bad_signature" },
        { "hs256", "bad_signature" },
        { "rs512", "bad_signature" }, // IdentityModel reports an algorithm outside ValidAlgorithms as a signature failure
        { "crit header", "crit_header" },
        { "tampered payload", "bad_signature" },
        { "garbage", "malformed" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Verify_RefusedToken_NamesTheReason(string kind, string reason)
    {
        var hmac = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = _serverKey.KeyId }, SecurityAlgorithms.HmacSha256);
        var token = kind switch
        {
            "nonce" => Token(c => c["nonce"] = "someone-else"),
            "no nonce" => Token(c => c.Remove("nonce")),
            "unexpected nonce" => Token(),
            "issuer" => Token(c => c["iss"] = "https://elsewhere.example/"),
            "audience" => Token(c => { c["aud"] = "other-client"; c.Remove("azp"); }),
            "several audiences without azp" => Token(c => { c["aud"] = new[] { Client.ClientId, "other-client" }; c.Remove("azp"); }),
            "foreign azp" => Token(c => c["azp"] = "other-client"),
            "expired" => Token(c => c["exp"] = Now.AddMinutes(-1).ToUnixTimeSeconds()),
            "not yet valid" => Token(c => c["nbf"] = Now.AddMinutes(2).ToUnixTimeSeconds()),
            "no exp" => Token(c => c.Remove("exp")),
            "no sub" => Token(c => c.Remove("sub")),
            "other key" => Token(signing: new SigningCredentials(new RsaSecurityKey(_otherKey.Rsa) { KeyId = _serverKey.KeyId }, SecurityAlgorithms.RsaSha256)),
            "hs256" => Token(signing: hmac),
            "rs512" => Token(signing: new SigningCredentials(new RsaSecurityKey(_serverKey.Rsa) { KeyId = _serverKey.KeyId }, SecurityAlgorithms.RsaSha512)),
            "crit header" => Token(header: new Dictionary<string, object> { ["crit"] = new[] { "exp" } }),
            "tampered payload" => Tamper(Token()),
            _ => "not.a-token",
        };

        Assert.Equal(reason, await Verifier().VerifyAsync(token, kind == "unexpected nonce" ? null : "n-1"));
    }

    [Fact]
    public void Create_JwksWithoutRsaSigningKey_Throws()
        => Assert.Throws<InvalidOperationException>(() => new IdTokenVerifier("""{"keys":[]}""", Issuer, Client, _clock));

    /// <summary>Another subject in the payload, the signature kept.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("user-1", "user-2", StringComparison.Ordinal);
        return parts[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
    }
}
