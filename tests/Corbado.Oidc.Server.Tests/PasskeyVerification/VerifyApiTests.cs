using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.PasskeyVerification;

/// <summary>
/// docs/login-rules.md §5: <c>POST /api/v1/passkey-logins/verify</c> answers the verified identity for a valid hint, under
/// the same verification and single-use record as /authorize, and an RFC 9457 problem with the reason code otherwise.
/// One server for the class: each test mints its own hint and reads only its own answers.
/// </summary>
public sealed class VerifyApiTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string BackendId = "custom-backend";
    private const string BackendSecret = "custom-backend-secret-0123456789abcdef";
    private const string Subject = "c364a852-0071-70a4-0fe8-ed5728aa9522";

    private readonly CorbadoOidcServerFactory _factory = servers.Get("verify-api", settings =>
    {
        settings["Clients:2:ClientId"] = BackendId;
        settings["Clients:2:ClientSecret"] = BackendSecret;
        settings["Clients:2:AllowPasskeyVerification"] = "true";
    });

    private async Task<HttpResponseMessage> VerifyAsync(object? body, string? clientId = BackendId, string? secret = BackendSecret, string? rawBody = null)
    {
        using var client = _factory.CreateProtocolClient();
        return await client.PostWithBasicAsync("api/v1/passkey-logins/verify",
            rawBody is null ? JsonContent.Create(body) : new StringContent(rawBody, Encoding.UTF8, "application/json"), clientId, secret);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.ReadJsonAsync();
        Assert.Equal(reason, json.GetProperty("reason").GetString());
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(json.TryGetProperty(Core.Claims.PasskeyClaimTypes.PasskeyUserId, out _));
    }

    [Fact]
    public async Task Verify_ValidHint_AnswersIdentityWithProfileClaims()
    {
        await _factory.Services.GetRequiredService<EfUserProfileStore>().UpsertAsync(
            [new UserProfile { Subject = Subject, Email = "alice@example.com", EmailVerified = true, Name = "Alice" }], CancellationToken.None);

        using var response = await VerifyAsync(new { signedPasskeyData = _factory.Minter.Mint(), expectedSubject = Subject });
        var json = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Subject, json.GetProperty("sub").GetString());
        Assert.Equal("usr-676138078732345317", json.GetProperty("passkey_sub").GetString());
        Assert.Equal(_factory.Clock.GetUtcNow().ToUnixTimeSeconds(), json.GetProperty("auth_time").GetInt64());
        Assert.Equal(["pop", "phr"], json.GetProperty("amr").EnumerateArray().Select(value => value.GetString()));
        Assert.Equal("cre-1234567890", json.GetProperty("credential_id").GetString());
        Assert.Equal("alice@example.com", json.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.True, json.GetProperty("email_verified").ValueKind);
        Assert.Equal("Alice", json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Verify_HintUsedTwice_SecondIsReplayed()
    {
        var hint = _factory.Minter.Mint();
        using var first = await VerifyAsync(new { signedPasskeyData = hint });
        using var second = await VerifyAsync(new { signedPasskeyData = hint });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertProblemAsync(second, HttpStatusCode.BadRequest, "replayed");
    }

    [Fact]
    public async Task Verify_HintAlreadyUsedAtAuthorize_IsReplayed()
    {
        var hint = _factory.Minter.Mint();
        using var client = _factory.CreateProtocolClient();
        Assert.NotNull((await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint))).Code);

        using var response = await VerifyAsync(new { signedPasskeyData = hint });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "replayed");
    }

    [Fact]
    public async Task Authorize_HintAlreadyVerifiedByTheApi_IsAccessDenied()
    {
        var hint = _factory.Minter.Mint();
        using var verified = await VerifyAsync(new { signedPasskeyData = hint });
        using var client = _factory.CreateProtocolClient();

        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal("access_denied", authorization.Error);
        Assert.Null(authorization.Code);
    }

    [Fact]
    public async Task Verify_ForgedHint_IsBadSignature()
    {
        var hint = _factory.Minter.Mint();
        var forged = hint[..^4] + (hint[^4] == 'A' ? "BBBB" : "AAAA");

        using var response = await VerifyAsync(new { signedPasskeyData = forged });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad_signature");
    }

    [Fact]
    public async Task Verify_ExpectedSubjectDiffers_IsSubjectMismatch()
    {
        using var response = await VerifyAsync(new { signedPasskeyData = _factory.Minter.Mint(), expectedSubject = "someone-else" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "subject_mismatch");
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(BackendId, "wrong-secret")]
    [InlineData(BackendId, "")]
    [InlineData("unknown-client", BackendSecret)]
    [InlineData(CorbadoOidcServerFactory.PublicClientId, "anything")]
    public async Task Verify_WithoutValidClientCredentials_Answers401WithBasicChallenge(string? clientId, string? secret)
    {
        var hint = _factory.Minter.Mint();
        using var response = await VerifyAsync(new { signedPasskeyData = hint }, clientId, secret);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains(response.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Basic");
        // Nothing was consumed: the hint still works at /authorize.
        using var client = _factory.CreateProtocolClient();
        Assert.NotNull((await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint))).Code);
    }

    [Fact]
    public async Task Verify_ClientWithoutThePermission_Answers403()
    {
        using var response = await VerifyAsync(new { signedPasskeyData = _factory.Minter.Mint() },
            CorbadoOidcServerFactory.ConfidentialClientId, CorbadoOidcServerFactory.ConfidentialClientSecret);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "unauthorized_client");
    }

    [Theory]
    [InlineData("{\"signedPasskeyData\": 42}")]
    [InlineData("{\"signedPasskeyData\": [\"x\"]}")]
    [InlineData("{\"signedPasskeyData\": \"\"}")]
    [InlineData("{\"hint\": \"x\"}")]
    [InlineData("{\"signedPasskeyData\": \"x\", \"expectedSubject\": true}")]
    [InlineData("{\"signedPasskeyData\": \"x\", \"extra\": 1}")]
    [InlineData("{\"signedPasskeyData\": \"x\", \"signedPasskeyData\": \"y\"}")]
    [InlineData("[\"x\"]")]
    [InlineData("not json")]
    public async Task Verify_BodyNotTheExpectedShape_Answers400InvalidRequest(string body)
    {
        using var response = await VerifyAsync(null, rawBody: body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }
}
