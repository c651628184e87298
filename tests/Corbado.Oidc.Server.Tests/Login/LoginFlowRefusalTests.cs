using System.Text.Json.Nodes;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Core.Replay;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.Login;

/// <summary>
/// Every refusal of the login core, called directly (no HTTP, no door): each scenario yields exactly the catalogue's
/// refusal, and together they cover every refusal the flows can return, so a new reason without a test fails here.
/// The doors' rendering is tested over HTTP elsewhere (DoorEquivalenceTests, VerifyApiTests, the Hostile tests).
/// </summary>
public sealed class LoginFlowRefusalTests : IDisposable
{
    private const string RefreshClient = "refresh-bff";
    private const string RedirectUri = CorbadoOidcServerFactory.ConfidentialRedirectUri;

    /// <summary>
    /// Refusals not returned by these flows: client authentication happens at the doors before any flow is called; a
    /// hosted passkey ceremony's refusals are the WebAuthn relying party's (each asserted in HostedPasskeyTests).
    /// </summary>
    private static readonly string[] DoorOnly =
    [
        Refusals.InvalidClientSecret.Reason, Refusals.ClientNotPermitted.Reason, Refusals.ChallengeExpired.Reason, Refusals.ChallengeReused.Reason,
        Refusals.ChallengeMismatch.Reason, Refusals.OriginMismatch.Reason, Refusals.RpIdMismatch.Reason, Refusals.UserVerificationMissing.Reason,
        Refusals.UserPresenceMissing.Reason, Refusals.UnknownCredential.Reason, Refusals.UserHandleMismatch.Reason, Refusals.SignCountRegressed.Reason,
        Refusals.CredentialExists.Reason, Refusals.MalformedResponse.Reason, Refusals.RequestInvalid.Reason, Refusals.EnrolmentInvalid.Reason,
        Refusals.Cancelled.Reason,
    ];

    private readonly CorbadoOidcServerFactory _factory = new(settings =>
    {
        settings[$"Clients:2:ClientId"] = RefreshClient;
        settings[$"Clients:2:ClientSecret"] = "refresh-bff-secret-0123456789abcdefghij";
        settings[$"Clients:2:AllowTokenExchange"] = "true";
        settings[$"Clients:2:AllowRefreshTokens"] = "true";
        HostedPasskeyDriver.AddHostedClient(settings, 3);
    });

    public void Dispose() => _factory.Dispose();

    private T Flow<T>(CorbadoOidcServerFactory? factory = null) where T : notnull => (factory ?? _factory).Services.GetRequiredService<T>();

    private static AuthorizationInput Input(string? hint, string? challenge = null, long? maxAge = null)
        => new(CorbadoOidcServerFactory.ConfidentialClientId, RedirectUri, ["openid"], "nonce-1", challenge, hint, maxAge);

    private static void AssertRefused(Refusal expected, Refusal? actual) => Assert.Same(expected, actual);

    public static TheoryData<string, Func<HintMinter, string>> Hints => new()
    {
        { "malformed", _ => "not.a-jws" },
        { "too_large", minter => minter.Mint(payload => payload["pad"] = new string('a', 10_000)) },
        { "unsupported_alg", minter => HintMinter.Unsigned("""{"alg":"none","typ":"JWT"}""", minter.DefaultPayload().ToJsonString()) + "AAAA" },
        { "unknown_key", minter => minter.Mint(header: header => header["kid"] = "another-key") },
        { "bad_signature", minter => Tampered(minter) },
        { "wrong_issuer", minter => minter.Mint(payload => payload["iss"] = "pro-somebody-else") },
        { "expired", minter => minter.Mint(payload => Shift(payload, iat: -200, nbf: -210, exp: -100)) },
        { "not_yet_valid", minter => minter.Mint(payload => payload["nbf"] = payload["iat"]!.GetValue<long>() + 600) },
        { "too_old", minter => minter.Mint(payload => Shift(payload, iat: -3600, nbf: -3610, exp: 300)) },
        { "missing_jti", minter => minter.Mint(payload => payload.Remove("jti")) },
        { "missing_subject", minter => minter.Mint(payload => payload.Remove("webauthnId")) },
    };

    private static string Tampered(HintMinter minter)
    {
        var parts = minter.Mint(webAuthnId: "alice").Split('.');
        return $"{parts[0]}.{HintMinter.Encode(minter.DefaultPayload(webAuthnId: "mallory").ToJsonString())}.{parts[2]}";
    }

    /// <summary>Moves the time claims to the given offsets (seconds) from now.</summary>
    private static void Shift(JsonObject payload, long iat, long nbf, long exp)
    {
        var now = payload["iat"]!.GetValue<long>();
        (payload["iat"], payload["nbf"], payload["exp"]) = (now + iat, now + nbf, now + exp);
    }

    [Theory]
    [MemberData(nameof(Hints))]
    public async Task Authorize_RefusedHint_IsTheCataloguesRefusal(string reason, Func<HintMinter, string> hint)
    {
        var outcome = await Flow<AuthorizationCodeFlow>().AuthorizeAsync(Input(hint(_factory.Minter)), default);

        Assert.Null(outcome.Code);
        AssertRefused(Refusals.All[reason], outcome.Refusal);
        Assert.Equal("access_denied", outcome.Refusal!.AuthorizationError);
    }

    [Fact]
    public async Task Authorize_ReplayedHint_IsReplayed_AtEveryGrant()
    {
        var hint = _factory.Minter.Mint();
        Assert.NotNull((await Flow<AuthorizationCodeFlow>().AuthorizeAsync(Input(hint), default)).Code);

        AssertRefused(Refusals.Replayed, (await Flow<AuthorizationCodeFlow>().AuthorizeAsync(Input(hint), default)).Refusal);
        AssertRefused(Refusals.Replayed, (await Flow<TokenExchangeFlow>().ExchangeAsync(RefreshClient, hint, ["openid"], [], default)).Refusal);
        AssertRefused(Refusals.Replayed, (await Flow<PasskeyVerificationFlow>().VerifyAsync(RefreshClient, hint, null, [], default)).Refusal);
    }

    [Fact]
    public async Task Authorize_SingleSignOnClient_SessionRefusals()
    {
        var flow = Flow<AuthorizationCodeFlow>();
        var now = _factory.Clock.GetUtcNow();
        var input = new AuthorizationInput(HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedRedirectUri, ["openid"], null, null, null, null)
        {
            Prompt = "none",
        };
        AssertRefused(Refusals.NoSession, (await flow.AuthorizeAsync(input, default)).Refusal);
        AssertRefused(Refusals.InvalidIdTokenHint, (await flow.AuthorizeAsync(input with { IdTokenHint = "e30.e30.c2ln" }, default)).Refusal);

        var (handle, _) = await Flow<Corbado.Oidc.Server.Login.Sessions.IdpSessions>().SignedInAsync(null, "alice", now, ["pop"], HostedPasskeyDriver.HostedClientId, default);
        var bob = Flow<LoginTokenWriter>().Write(LoginGrants.For(new Core.PasskeyLogin.VerifiedPasskeyLogin("bob", null, now, now, "k", "j"), HostedPasskeyDriver.HostedClientId, ["openid"],
            HostedPasskeyDriver.HostedRedirectUri, null, null), []).IdToken;
        AssertRefused(Refusals.SessionUserMismatch, (await flow.AuthorizeAsync(input with { SessionHandle = handle, IdTokenHint = bob }, default)).Refusal);
        Assert.NotNull((await flow.AuthorizeAsync(input with { SessionHandle = handle }, default)).Code);
        Assert.Equal("login_required", Refusals.NoSession.AuthorizationError);
        Assert.Equal("login_required", Refusals.SessionUserMismatch.AuthorizationError);
        Assert.Equal("invalid_request", Refusals.InvalidIdTokenHint.AuthorizationError);
    }

    [Fact]
    public async Task Authorize_WithoutHintOrPastMaxAge_IsLoginRequired()
    {
        var flow = Flow<AuthorizationCodeFlow>();

        AssertRefused(Refusals.MissingHint, (await flow.AuthorizeAsync(Input(null), default)).Refusal);
        var hint = _factory.Minter.Mint(payload => payload["iat"] = payload["iat"]!.GetValue<long>() - 120);
        AssertRefused(Refusals.MaxAgeExceeded, (await flow.AuthorizeAsync(Input(hint, maxAge: 60), default)).Refusal);
        Assert.Equal("login_required", Refusals.MaxAgeExceeded.AuthorizationError);
    }

    [Fact]
    public async Task Verify_HintForAnotherUser_IsSubjectMismatch()
    {
        var outcome = await Flow<PasskeyVerificationFlow>().VerifyAsync(RefreshClient, _factory.Minter.Mint(webAuthnId: "user-a"), "user-b", [], default);

        AssertRefused(Refusals.SubjectMismatch, outcome.Refusal);
        Assert.Null(outcome.Identity);
    }

    [Fact]
    public async Task AnyGrant_DatabaseFault_IsInternalErrorAndTemporarilyUnavailable()
    {
        using var factory = new CorbadoOidcServerFactory { ConfigureServices = services => services.AddSingleton<IReplayGuard, FailingReplayGuard>() };

        var authorize = await Flow<AuthorizationCodeFlow>(factory).AuthorizeAsync(Input(factory.Minter.Mint()), default);
        var exchange = await Flow<TokenExchangeFlow>(factory).ExchangeAsync(CorbadoOidcServerFactory.ConfidentialClientId, factory.Minter.Mint(), ["openid"], [], default);

        AssertRefused(Refusals.InternalError, authorize.Refusal);
        AssertRefused(Refusals.InternalError, exchange.Refusal);
        Assert.Equal("temporarily_unavailable", Refusals.InternalError.AuthorizationError);
        Assert.Equal(503, Refusals.InternalError.Status);
    }

    [Fact]
    public async Task Authorize_KeySetUnreachable_IsKeysUnavailable()
    {
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Corbado:JwksFile"] = null;
            settings["Corbado:JwksUrl"] = $"http://127.0.0.1:{LoopbackPorts.Free()}/.well-known/jwks";
        }, environment: "Development");

        var outcome = await Flow<AuthorizationCodeFlow>(factory).AuthorizeAsync(Input(factory.Minter.Mint()), default);

        AssertRefused(Refusals.KeysUnavailable, outcome.Refusal);
    }

    [Theory]
    [InlineData(FakeBackendMode.UserMismatch, "remote_rejected")]
    [InlineData(FakeBackendMode.ServerError, "remote_unavailable")]
    public async Task Authorize_PasskeyBackendRefusesOrFails_IsItsRefusal(FakeBackendMode mode, string reason)
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        backend.Mode = mode;
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Corbado:BackendApiUrl"] = backend.BaseUrl.AbsoluteUri;
            settings["Corbado:ApiSecret"] = "corbado1_test-api-secret";
        });

        var outcome = await Flow<AuthorizationCodeFlow>(factory).AuthorizeAsync(Input(factory.Minter.Mint()), default);

        AssertRefused(Refusals.All[reason], outcome.Refusal);
    }

    [Fact]
    public async Task RedeemCode_EveryWayACodeRequestIsWrong_IsItsRefusal()
    {
        var flow = Flow<AuthorizationCodeFlow>();
        var verifier = Pkce.Create();
        async Task<string> CodeAsync(string? challenge = null)
            => (await flow.AuthorizeAsync(Input(_factory.Minter.Mint(), challenge), default)).Code!;
        Task<TokenOutcome> RedeemAsync(string code, string? redirectUri = RedirectUri, string? codeVerifier = null, string client = CorbadoOidcServerFactory.ConfidentialClientId)
            => flow.RedeemCodeAsync(new CodeRedemption(client, code, redirectUri, codeVerifier), default);

        AssertRefused(Refusals.InvalidCode, (await RedeemAsync(Base64UrlEncoder.Encode(new byte[32]))).Refusal);
        AssertRefused(Refusals.ClientMismatch, (await RedeemAsync(await CodeAsync(), client: RefreshClient)).Refusal);
        AssertRefused(Refusals.MissingRedirectUri, (await RedeemAsync(await CodeAsync(), redirectUri: null)).Refusal);
        AssertRefused(Refusals.RedirectUriMismatch, (await RedeemAsync(await CodeAsync(), redirectUri: RedirectUri + "/other")).Refusal);
        AssertRefused(Refusals.CodeVerifierUnexpected, (await RedeemAsync(await CodeAsync(), codeVerifier: verifier.Verifier)).Refusal);
        AssertRefused(Refusals.CodeVerifierMissing, (await RedeemAsync(await CodeAsync(verifier.Challenge))).Refusal);
        AssertRefused(Refusals.PkceMismatch, (await RedeemAsync(await CodeAsync(verifier.Challenge), codeVerifier: Pkce.Create().Verifier)).Refusal);

        var code = await CodeAsync();
        Assert.NotNull((await RedeemAsync(code)).Tokens);
        AssertRefused(Refusals.CodeReplayed, (await RedeemAsync(code)).Refusal);
    }

    [Fact]
    public async Task Refresh_UnknownForeignOrReusedToken_IsItsRefusal()
    {
        var exchanged = await Flow<TokenExchangeFlow>().ExchangeAsync(RefreshClient, _factory.Minter.Mint(), ["openid", "offline_access"], [], default);
        var refreshToken = exchanged.Tokens!.RefreshToken!;
        var flow = Flow<RefreshTokenFlow>();

        AssertRefused(Refusals.InvalidRefreshToken, (await flow.RefreshAsync(RefreshClient, Base64UrlEncoder.Encode(new byte[32]), default)).Refusal);
        AssertRefused(Refusals.InvalidRefreshToken, (await flow.RefreshAsync(CorbadoOidcServerFactory.ConfidentialClientId, refreshToken, default)).Refusal);
        Assert.NotNull((await flow.RefreshAsync(RefreshClient, refreshToken, default)).Tokens);
        AssertRefused(Refusals.RefreshTokenReused, (await flow.RefreshAsync(RefreshClient, refreshToken, default)).Refusal);
    }

    [Fact]
    public void Catalogue_EveryFlowRefusal_HasAScenarioHere()
    {
        // The reasons the scenarios above assert: a reason added to the catalogue fails here until a scenario covers it.
        var covered = Hints.Select(row => (string)row[0]).Concat(
        [
            "replayed", "missing_hint", "max_age_exceeded", "subject_mismatch", "internal_error", "keys_unavailable", "remote_rejected", "remote_unavailable",
            "invalid_code", "client_mismatch", "missing_redirect_uri", "redirect_uri_mismatch", "code_verifier_unexpected", "code_verifier_missing",
            "pkce_mismatch", "code_replayed", "invalid_refresh_token", "refresh_token_reused",
            "no_session", "session_user_mismatch", "invalid_id_token_hint",
        ]);

        Assert.Equal(Refusals.All.Keys.Except(DoorOnly).Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }

    private sealed class FailingReplayGuard : IReplayGuard
    {
        public ValueTask<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
            => throw new InvalidOperationException("The database is away (test double).");
    }
}
