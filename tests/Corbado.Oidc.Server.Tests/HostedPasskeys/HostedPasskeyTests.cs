using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Corbado.Oidc.Server.Login.WebAuthn;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// The hosted passkey door (docs/hosted-passkeys.md) through the test host: /authorize sends a hosted-passkey client's
/// request without a hint to the page, the page's ceremony calls run with a software authenticator, and a verified
/// assertion becomes a login exactly like a hint. Every refusal is checked with nothing issued and nothing stored.
/// </summary>
public sealed class HostedPasskeyTests : IDisposable
{
    private const string Subject = "user-hosted-1";
    private readonly LogCapture _logs = new();
    private readonly CorbadoOidcServerFactory _factory;
    private readonly HttpClient _client;
    private readonly SoftwareAuthenticator _authenticator = new("https://localhost", "localhost");

    public HostedPasskeyTests()
    {
        _factory = new CorbadoOidcServerFactory(settings =>
        {
            HostedPasskeyDriver.AddHostedClient(settings);
            settings["Logging:LogLevel:Corbado"] = "Information";
        })
        {
            ConfigureServices = services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs),
        };
        _client = _factory.CreateProtocolClient();
    }

    /// <summary>The reason codes of refused ceremonies, as logged: a refused sign-in as every refused login (event 2002), an enrolment by event 1701.</summary>
    private string[] RefusalReasons() => [.. _logs.Lines.Where(line => line.Contains("[1701]", StringComparison.Ordinal) || line.Contains("[2002]", StringComparison.Ordinal))
        .Select(line => System.Text.RegularExpressions.Regex.Match(line, "reason ([a-z_]+)").Groups[1].Value)];

    public void Dispose()
    {
        _client.Dispose();
        _authenticator.Dispose();
        _factory.Dispose();
    }

    private Task EnrolAsync() => HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);

    private async Task<int> CodesIssuedAsync()
    {
        await using var context = await _factory.Services.GetRequiredService<IDbContextFactory<OidcDbContext>>().CreateDbContextAsync();
        return await context.AuthorizationCodes.CountAsync();
    }

    [Fact]
    public async Task Authorize_HostedClientWithoutHint_RedirectsToPage_WithStrictCspAndPasskeyButton()
    {
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());

        using var page = await _client.GetAsync("passkeys/sign-in?request=" + request);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Matches("<button id=\"passkey\"[^>]*>[^<]*passkey[^<]*</button>", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("style=", html);
        Assert.Contains("autocomplete=\"username webauthn\"", html);
        Assert.Contains("lang=\"en\"", html);
    }

    [Theory]
    [InlineData("de-CH en", null, "de", "Mit einem Passkey anmelden")]
    [InlineData(null, "fr-FR, de;q=0.8, en;q=0.5", "de", "Mit einem Passkey anmelden")]
    [InlineData("fr", "en-GB", "en", "Sign in with a passkey")]
    public async Task SignInPage_Language_UiLocalesThenAcceptLanguage(string? uiLocales, string? acceptLanguage, string language, string button)
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["ui_locales"] = uiLocales;
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);

        using var message = new HttpRequestMessage(HttpMethod.Get, "passkeys/sign-in?request=" + request);
        if (acceptLanguage is not null)
        {
            message.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        using var page = await _client.SendAsync(message);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"lang=\"{language}\"", html);
        Assert.Contains(button, html);
    }

    [Fact]
    public async Task Authorize_OtherClientWithoutHint_StillLoginRequired()
    {
        var response = await _client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(null));

        Assert.Equal("login_required", response.Error);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialRedirectUri, response.RedirectTarget!.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public async Task Authorize_HostedClientPromptNone_LoginRequired()
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["prompt"] = "none";

        var response = await _client.AuthorizeAsync(parameters);

        Assert.Equal("login_required", response.Error);
        Assert.Equal(parameters["state"], response.Get("state"));
    }

    [Fact]
    public async Task Authorize_HostedClientWithInvalidSignedHint_AccessDenied_NeverThePage()
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["login_hint"] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

        var response = await _client.AuthorizeAsync(parameters);

        Assert.Equal("access_denied", response.Error);
    }

    [Fact]
    public async Task Authorize_HostedClientWithPlainHint_PagePrefilled()
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["login_hint"] = "jane.doe@example.com";

        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);
        var html = await _client.GetStringAsync("passkeys/sign-in?request=" + request);

        Assert.Contains("value=\"jane.doe@example.com\"", html);
    }

    [Fact]
    public async Task SignIn_EnrolledPasskey_CodeRedeemsToIdTokenForCredentialOwner_WithAmrAndAuthTime()
    {
        await EnrolAsync();
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);

        using var verified = await HostedPasskeyDriver.SignInAsync(_client, request, _authenticator);
        var answer = await verified.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal("query", answer.GetProperty("mode").GetString());
        var redirect = new Uri(answer.GetProperty("uri").GetString()!);
        Assert.Equal(HostedPasskeyDriver.HostedRedirectUri, redirect.GetLeftPart(UriPartial.Path));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect.Query);
        Assert.Equal(parameters["state"], query["state"].ToString());
        Assert.Equal(_factory.Issuer.AbsoluteUri, query["iss"].ToString());

        using var tokens = await _client.RedeemCodeAsync(query["code"].ToString(), HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedClientSecret,
            HostedPasskeyDriver.HostedRedirectUri);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var idToken = new JsonWebToken((await tokens.ReadJsonAsync()).GetProperty("id_token").GetString());
        Assert.Equal(Subject, idToken.Subject);
        Assert.Equal(parameters["nonce"], idToken.GetClaim("nonce").Value);
        Assert.Equal(["pop", "user", "mfa"], idToken.GetPayloadValue<string[]>("amr"));
        Assert.Equal(_factory.Clock.GetUtcNow().ToUnixTimeSeconds(), idToken.GetPayloadValue<long>("auth_time"));
        // The one login core's audit event names the method.
        Assert.Single(_logs.Lines, line => line.Contains("Corbado.Oidc.Audit[4000] Audit login accepted ", StringComparison.Ordinal)
            && line.Contains("Method=hosted_passkey ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_FormPost_AnswersFormPostWithStateAndIss()
    {
        await EnrolAsync();
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["response_mode"] = "form_post";
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);

        using var verified = await HostedPasskeyDriver.SignInAsync(_client, request, _authenticator);
        var answer = await verified.ReadJsonAsync();

        Assert.Equal("form_post", answer.GetProperty("mode").GetString());
        Assert.Equal(HostedPasskeyDriver.HostedRedirectUri, answer.GetProperty("uri").GetString());
        Assert.Equal(parameters["state"], answer.GetProperty("parameters").GetProperty("state").GetString());
        Assert.True(answer.GetProperty("parameters").TryGetProperty("code", out _));
    }

    [Fact]
    public async Task Cancel_AnswersAccessDeniedToRedirectUriWithState_AndRequestIsSpent()
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);

        using var cancelled = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/cancel", new { request });
        var answer = await cancelled.ReadJsonAsync();
        using var again = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/options", new { request });

        var redirect = new Uri(answer.GetProperty("uri").GetString()!);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect.Query);
        Assert.Equal(HostedPasskeyDriver.HostedRedirectUri, redirect.GetLeftPart(UriPartial.Path));
        Assert.Equal("access_denied", query["error"].ToString());
        Assert.Equal(parameters["state"], query["state"].ToString());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "wrong_origin", "origin_mismatch" },
        { "wrong_rp_id", "rp_id_mismatch" },
        { "uv_missing", "user_verification_missing" },
        { "up_missing", "user_presence_missing" },
        { "unknown_credential", "unknown_credential" },
        { "bad_signature", "bad_signature" },
        { "sign_count_regressed", "sign_count_regressed" },
        { "sign_count_reset_to_zero", "sign_count_regressed" },
        { "challenge_of_other_ceremony", "challenge_mismatch" },
        { "user_handle_of_other_user", "user_handle_mismatch" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task SignIn_Refused_NoCodeIssued_RequestStaysUsable(string refusal, string reason)
    {
        await EnrolAsync();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        Func<JsonObject, JsonObject>? tamper = null;
        string? otherChallenge = null;
        switch (refusal)
        {
            case "wrong_origin": _authenticator.Origin = "https://evil.example"; break;
            case "wrong_rp_id": _authenticator.RpId = "evil.example"; break;
            case "uv_missing": _authenticator.UserVerified = false; break;
            case "up_missing": _authenticator.UserPresent = false; break;
            case "unknown_credential":
                tamper = credential =>
                {
                    var id = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(new byte[16]);
                    credential["id"] = id;
                    credential["rawId"] = id;
                    return credential;
                };
                break;
            case "bad_signature":
                tamper = credential =>
                {
                    var signature = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(credential["response"]!["signature"]!.GetValue<string>());
                    signature[^1] ^= 0x01;
                    credential["response"]!["signature"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(signature);
                    return credential;
                };
                break;
            case "sign_count_regressed":
                _authenticator.SignCount = 10;
                using (var first = await HostedPasskeyDriver.SignInAsync(_client, await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters()), _authenticator))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                }

                _authenticator.NextSignCount = () => 5;
                break;
            case "sign_count_reset_to_zero":
                using (var first = await HostedPasskeyDriver.SignInAsync(_client, await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters()), _authenticator))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                }

                _authenticator.NextSignCount = () => 0;
                break;
            case "challenge_of_other_ceremony":
                otherChallenge = (await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request })).PublicKey.GetProperty("challenge").GetString();
                break;
            case "user_handle_of_other_user":
                tamper = credential =>
                {
                    credential["response"]!["userHandle"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(new byte[32]);
                    return credential;
                };
                break;
        }

        var codesBefore = await CodesIssuedAsync();
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request });
        var credentialJson = _authenticator.Assert(publicKey, otherChallenge);
        using var refused = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential = tamper is null ? credentialJson : tamper(credentialJson) });
        var body = await refused.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("passkey_refused", body.GetProperty("error").GetString());
        Assert.True(body.GetProperty("retry").GetBoolean());
        Assert.Equal([reason], RefusalReasons());
        Assert.Equal(codesBefore, await CodesIssuedAsync());
        using var retry = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/options", new { request });
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task SignIn_ReplayedCeremony_RefusedEvenWithValidAssertion()
    {
        await EnrolAsync();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request });
        _authenticator.UserVerified = false;
        using var failed = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential = _authenticator.Assert(publicKey) });
        _authenticator.UserVerified = true;

        using var replayed = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential = _authenticator.Assert(publicKey) });

        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal(["user_verification_missing", "challenge_reused"], RefusalReasons());
        Assert.Equal(0, await CodesIssuedAsync());
    }

    [Fact]
    public async Task SignIn_ExpiredCeremony_Refused()
    {
        await EnrolAsync();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request });
        // Exactly at expiry: expired, and not yet pruned (the pruner takes rows past it, after which an expired challenge
        // is simply unknown, challenge_reused).
        _factory.Clock.Advance(TimeSpan.FromMinutes(5));

        using var expired = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential = _authenticator.Assert(publicKey) });

        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        Assert.Equal(["challenge_expired"], RefusalReasons());
        Assert.Equal(0, await CodesIssuedAsync());
    }

    [Fact]
    public async Task SignIn_CeremonyOfAnotherRequest_Refused()
    {
        await EnrolAsync();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        var other = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request = other });

        using var refused = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential = _authenticator.Assert(publicKey) });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["challenge_reused"], RefusalReasons());
        Assert.Equal(0, await CodesIssuedAsync());
    }

    [Fact]
    public async Task SignIn_RequestAnswersOnce()
    {
        await EnrolAsync();
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());
        using var first = await HostedPasskeyDriver.SignInAsync(_client, request, _authenticator);

        using var second = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/options", new { request });
        using var page = await _client.GetAsync("passkeys/sign-in?request=" + request);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal(1, await CodesIssuedAsync());
    }

    [Fact]
    public async Task SignIn_RemovedPasskey_Refused()
    {
        await EnrolAsync();
        Assert.True(await _factory.Services.GetRequiredService<PasskeyStore>().RemoveCredentialAsync(Subject, _authenticator.CredentialIdText, default));
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, HostedPasskeyDriver.AuthorizeParameters());

        using var refused = await HostedPasskeyDriver.SignInAsync(_client, request, _authenticator);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["unknown_credential"], RefusalReasons());
        Assert.Equal(0, await CodesIssuedAsync());
    }

    [Fact]
    public async Task Enrol_LinkIsSingleUse_AndForgedOrExpiredLinksLookAlike()
    {
        var links = _factory.Services.GetRequiredService<PasskeyEnrolmentLinks>();
        var (link, _) = await links.CreateAsync(Subject, TimeSpan.FromMinutes(15), default);
        var (expiring, _) = await links.CreateAsync("someone-else", TimeSpan.FromMinutes(1), default);
        using (var enrolled = await HostedPasskeyDriver.EnrolAsync(_client, link, _authenticator))
        {
            Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        }

        _factory.Clock.Advance(TimeSpan.FromMinutes(2));
        using var used = await _client.GetAsync(link.PathAndQuery.TrimStart('/'));
        using var expired = await _client.GetAsync(expiring.PathAndQuery.TrimStart('/'));
        using var forged = await _client.GetAsync("passkeys/enrol?token=" + new string('A', 43));
        using var usedOptions = await HostedPasskeyDriver.PostAsync(_client, "passkeys/enrol/options", new { token = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["token"].ToString() });

        Assert.Equal(HttpStatusCode.BadRequest, used.StatusCode);
        Assert.Equal(await used.Content.ReadAsStringAsync(), await expired.Content.ReadAsStringAsync());
        Assert.Equal(await used.Content.ReadAsStringAsync(), await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, usedOptions.StatusCode);
        var stored = await _factory.Services.GetRequiredService<PasskeyStore>().ListCredentialsAsync(Subject, default);
        Assert.Equal(_authenticator.CredentialIdText, Assert.Single(stored).Id);
        Assert.Equal("Test key", stored[0].Name);
        Assert.Equal("internal", stored[0].Transports);
    }

    [Fact]
    public async Task Enrol_UserVerificationMissing_RefusedAndNothingStored()
    {
        var (link, _) = await _factory.Services.GetRequiredService<PasskeyEnrolmentLinks>().CreateAsync(Subject, TimeSpan.FromMinutes(15), default);
        _authenticator.UserVerified = false;

        using var refused = await HostedPasskeyDriver.EnrolAsync(_client, link, _authenticator);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["user_verification_missing"], RefusalReasons());
        Assert.Empty(await _factory.Services.GetRequiredService<PasskeyStore>().ListCredentialsAsync(Subject, default));
    }

    [Fact]
    public void RefusalReasons_AreInTheRefusalCatalogue()
    {
        Assert.All(PasskeyRefusals.All, reason => Assert.Equal(reason, Corbado.Oidc.Core.Refusals.Refusals.All[reason].MetricLabel));
    }
}
