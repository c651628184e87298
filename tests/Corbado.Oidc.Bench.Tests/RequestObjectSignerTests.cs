using System.Security.Cryptography;
using System.Text;
using System.Web;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench.Tests;

/// <summary>The benchmark's HS256 request objects (OIDC Core §6.1), checked as a relying-party library would.</summary>
public sealed class RequestObjectSignerTests
{
    private const string Issuer = "https://127.0.0.1:5001/";
    private static readonly Uri BaseAddress = new("http://127.0.0.1:5001/");
    private static readonly DateTimeOffset Now = new(2025, 6, 2, 9, 30, 0, TimeSpan.Zero);

    private static (LoginRequest Login, string Hint) CreateLogin(BenchClient client)
    {
        using var hintKey = TestSigningKey.CreateRsa();
        var clock = new FakeTimeProvider(Now);
        var hint = new HintMinter(hintKey, HintMinter.DefaultProjectId, clock).Mint();
        var signer = new RequestObjectSigner(client, Issuer, LoginDriver.Scope, clock);
        var prefix = LoginDriver.AuthorizePrefix(BaseAddress, client, RequestObjectMode.Hs256);
        return (LoginRequest.CreateWithRequestObject(prefix, signer, Encoding.ASCII.GetBytes(hint)), hint);
    }

    private static Task<TokenValidationResult> ValidateAsync(string requestObject, string clientId, string secret) =>
        new JsonWebTokenHandler().ValidateTokenAsync(requestObject, new TokenValidationParameters
        {
            ValidIssuer = clientId,
            ValidAudience = Issuer,
            // OIDC Core §10.1: the HMAC key is the UTF-8 octets of the client secret.
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            // iat and exp come from the fake clock; they are asserted exactly below.
            ValidateLifetime = false,
        });

    [Theory]
    [InlineData("bench-secret-0123456789abcdef0123456789abcdef")]
    [InlineData("bench-sécret-ключ-0123456789abcdef0123456789")]
    public async Task CreateWithRequestObject_Hs256_VerifiesWithClientSecretAndCarriesEveryParameter(string secret)
    {
        var client = new BenchClient("bench-rp", secret, "https://rp.bench.local/callback");

        var (login, hint) = CreateLogin(client);

        Assert.Equal("/authorize", login.AuthorizeUri.AbsolutePath);
        var query = HttpUtility.ParseQueryString(login.AuthorizeUri.Query);
        Assert.Equal(new[] { "client_id", "response_type", "scope", "request" }, query.AllKeys.Select(key => key ?? ""));
        Assert.Equal("bench-rp", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("openid profile email", query["scope"]);

        var result = await ValidateAsync(query["request"]!, client.ClientId, secret);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("HS256", token.Alg);
        Assert.Equal(
            ["iss", "aud", "client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method",
                "login_hint", "iat", "exp", "jti"],
            token.Claims.Select(claim => claim.Type));
        Assert.Equal("bench-rp", token.Issuer);
        Assert.Equal([Issuer], token.Audiences);
        Assert.Equal("bench-rp", token.GetPayloadValue<string>("client_id"));
        Assert.Equal("code", token.GetPayloadValue<string>("response_type"));
        Assert.Equal(client.RedirectUri, token.GetPayloadValue<string>("redirect_uri"));
        Assert.Equal("openid profile email", token.GetPayloadValue<string>("scope"));
        Assert.Equal(login.State, token.GetPayloadValue<string>("state"));
        Assert.Equal(login.Nonce, token.GetPayloadValue<string>("nonce"));
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(login.CodeVerifier))), token.GetPayloadValue<string>("code_challenge"));
        Assert.Equal("S256", token.GetPayloadValue<string>("code_challenge_method"));
        Assert.Equal(hint, token.GetPayloadValue<string>("login_hint"));
        Assert.Equal(Now.ToUnixTimeSeconds(), token.GetPayloadValue<long>("iat"));
        Assert.Equal(Now.ToUnixTimeSeconds() + 300, token.GetPayloadValue<long>("exp"));
        Assert.True(token.Id.Length >= 22, token.Id);
    }

    [Fact]
    public void CreateWithRequestObject_TwoLogins_DifferInJtiStateAndNonce()
    {
        var client = new BenchClient("bench-rp", "bench-secret-0123456789abcdef0123456789abcdef", "https://rp.bench.local/callback");

        var (first, _) = CreateLogin(client);
        var (second, _) = CreateLogin(client);

        var firstToken = new JsonWebToken(HttpUtility.ParseQueryString(first.AuthorizeUri.Query)["request"]);
        var secondToken = new JsonWebToken(HttpUtility.ParseQueryString(second.AuthorizeUri.Query)["request"]);
        Assert.NotEqual(firstToken.Id, secondToken.Id);
        Assert.NotEqual(first.State, second.State);
        Assert.NotEqual(first.Nonce, second.Nonce);
    }

    [Fact]
    public async Task CreateWithRequestObject_VerifiedWithAnotherSecret_IsRejected()
    {
        var client = new BenchClient("bench-rp", "bench-secret-0123456789abcdef0123456789abcdef", "https://rp.bench.local/callback");

        var (login, _) = CreateLogin(client);

        var result = await ValidateAsync(HttpUtility.ParseQueryString(login.AuthorizeUri.Query)["request"]!, client.ClientId,
            "bench-secret-0123456789abcdef0123456789abcdeF");
        Assert.False(result.IsValid);
        // Without a kid IdentityModel reports "no key matched", a subclass of the invalid-signature exception.
        Assert.IsAssignableFrom<SecurityTokenInvalidSignatureException>(result.Exception);
    }
}
