using System.Net;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Sessions;

/// <summary>
/// The identity provider's session through the test host (docs/sessions-and-logout.md): a ceremony on the hosted page
/// starts it (a <c>__Host-</c> cookie holding a handle, its hash in the database), and a later request of a single-sign-on
/// client is answered from it as OIDC Core §3.1.2.1 says for <c>prompt</c>, <c>max_age</c> and <c>id_token_hint</c>.
/// The browser is the test client's cookie container.
/// </summary>
public sealed class SessionTests : IDisposable
{
    private const string Subject = "user-session-1";
    private const string SecondClientId = "rp-hosted-two";
    private const string SecondRedirectUri = "https://second-rp.example.com/callback";
    private const string NoSsoClientId = "rp-hosted-no-sso";
    private const string NoSsoRedirectUri = "https://no-sso-rp.example.com/callback";
    private const string Secret = "rp-session-secret-0123456789abcdef0123";

    private readonly CorbadoOidcServerFactory _factory;
    private readonly HttpClient _client;
    private readonly SoftwareAuthenticator _authenticator = new("https://localhost", "localhost");
    private readonly RecordingObserver _observer = new();
    private readonly LogCapture _logs = new();

    public SessionTests()
    {
        _factory = new CorbadoOidcServerFactory(settings =>
        {
            HostedPasskeyDriver.AddHostedClient(settings);
            AddClient(settings, 3, SecondClientId, SecondRedirectUri, singleSignOn: null);
            AddClient(settings, 4, NoSsoClientId, NoSsoRedirectUri, singleSignOn: false);
            settings["Logging:LogLevel:Corbado"] = "Information";
        })
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<ISessionEndObserver>(_observer);
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs);
            },
        };
        _client = _factory.CreateProtocolClient();
    }

    private static void AddClient(Dictionary<string, string?> settings, int index, string clientId, string redirectUri, bool? singleSignOn)
    {
        settings[$"Clients:{index}:ClientId"] = clientId;
        settings[$"Clients:{index}:ClientSecret"] = Secret;
        settings[$"Clients:{index}:RedirectUris:0"] = redirectUri;
        settings[$"Clients:{index}:HostedPasskeyLogin"] = "true";
        if (singleSignOn is { } value)
        {
            settings[$"Clients:{index}:SingleSignOn"] = value ? "true" : "false";
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _authenticator.Dispose();
        _factory.Dispose();
    }

    /// <summary>Enrols and signs in on the hosted page for the hosted client; returns the verify response's Set-Cookie and the ID token.</summary>
    private async Task<(string SetCookie, JsonWebToken IdToken)> SignInOnPageAsync(IDictionary<string, string?>? parameters = null)
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _authenticator);
        return await CeremonyAsync(parameters ?? HostedPasskeyDriver.AuthorizeParameters());
    }

    private async Task<(string SetCookie, JsonWebToken IdToken)> CeremonyAsync(IDictionary<string, string?> parameters)
    {
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);
        using var verified = await HostedPasskeyDriver.SignInAsync(_client, request, _authenticator);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var redirect = new Uri((await verified.ReadJsonAsync()).GetProperty("uri").GetString()!);
        var setCookie = verified.Headers.TryGetValues("Set-Cookie", out var values) ? string.Join("\n", values) : "";
        return (setCookie, await RedeemAsync(QueryHelpers.ParseQuery(redirect.Query)["code"].ToString(), parameters["client_id"]!, parameters["redirect_uri"]!));
    }

    private async Task<JsonWebToken> RedeemAsync(string code, string clientId, string redirectUri)
    {
        using var tokens = await _client.RedeemCodeAsync(code, clientId, clientId == HostedPasskeyDriver.HostedClientId ? HostedPasskeyDriver.HostedClientSecret : Secret, redirectUri);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        return new JsonWebToken((await tokens.ReadJsonAsync()).GetProperty("id_token").GetString());
    }

    private static Dictionary<string, string?> Parameters(string clientId = SecondClientId, string redirectUri = SecondRedirectUri)
        => OidcProtocol.AuthorizeParameters(null, clientId, redirectUri);

    /// <summary>Asserts a silent answer (a code at the redirect URI, no page) and returns its ID token.</summary>
    private async Task<JsonWebToken> SilentAsync(IDictionary<string, string?> parameters)
    {
        var response = await _client.AuthorizeAsync(parameters);
        Assert.True(response.Get("code") is { Length: > 0 }, $"Expected a code, got {(int)response.StatusCode} {response.RedirectTarget}");
        Assert.Equal(parameters["redirect_uri"], response.RedirectTarget!.GetLeftPart(UriPartial.Path));
        Assert.Equal(parameters["state"], response.Get("state"));
        return await RedeemAsync(response.Get("code")!, parameters["client_id"]!, parameters["redirect_uri"]!);
    }

    private async Task AssertSentToPageAsync(IDictionary<string, string?> parameters)
        => await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);

    private async Task<List<IdpSessionEntry>> SessionRowsAsync()
    {
        await using var context = await _factory.Services.GetRequiredService<IDbContextFactory<OidcDbContext>>().CreateDbContextAsync();
        return await context.IdpSessions.AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task Ceremony_StartsSession_HostCookieHttpOnlySecureLax_OnlyAHashStored()
    {
        var (setCookie, idToken) = await SignInOnPageAsync();

        var cookie = Assert.Single(setCookie.Split('\n'), line => line.StartsWith(SessionCookie.Name + "=", StringComparison.Ordinal));
        var attributes = cookie.Split("; ").Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("path=/", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
        var handle = cookie.Split(';')[0][(SessionCookie.Name.Length + 1)..];
        Assert.Equal(43, handle.Length);

        var row = Assert.Single(await SessionRowsAsync());
        Assert.Equal(Subject, row.Subject);
        Assert.NotEqual(handle, row.Key);
        Assert.DoesNotContain(handle, row.Key + row.Sid + row.ClientIds);
        Assert.Equal(idToken.GetPayloadValue<string>("sid"), row.Sid);
        Assert.Equal(HostedPasskeyDriver.HostedClientId, row.ClientIds);
        var now = _factory.Clock.GetUtcNow();
        Assert.Equal((now + TimeSpan.FromHours(8)).ToUnixTimeSeconds(), row.IdleExpiresAt);
        Assert.Equal((now + TimeSpan.FromDays(7)).ToUnixTimeSeconds(), row.ExpiresAt);
    }

    [Fact]
    public async Task SecondClient_SignsInWithoutCeremony_SameSidAndAuthTime_ClientRecorded()
    {
        var (_, first) = await SignInOnPageAsync();
        _factory.Clock.Advance(TimeSpan.FromMinutes(5));

        var second = await SilentAsync(Parameters());

        Assert.Equal(Subject, second.Subject);
        Assert.Equal(SecondClientId, second.GetPayloadValue<string>("aud"));
        Assert.Equal(first.GetPayloadValue<string>("sid"), second.GetPayloadValue<string>("sid"));
        Assert.Equal(first.GetPayloadValue<long>("auth_time"), second.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pop", "user", "mfa"], second.GetPayloadValue<string[]>("amr"));
        var row = Assert.Single(await SessionRowsAsync());
        Assert.Equal($"{HostedPasskeyDriver.HostedClientId} {SecondClientId}", row.ClientIds);
        Assert.Equal((_factory.Clock.GetUtcNow() + TimeSpan.FromHours(8)).ToUnixTimeSeconds(), row.IdleExpiresAt);
        // One audit event per code: the ceremony's, then the session's.
        Assert.Equal(["Method=hosted_passkey", "Method=session"], _logs.Lines
            .Where(line => line.Contains("Corbado.Oidc.Audit[4000] Audit login accepted ", StringComparison.Ordinal))
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, "Method=[a-z_]+").Value));
    }

    [Fact]
    public async Task PromptNone_WithSession_Silent_WithoutSession_LoginRequired()
    {
        var withoutSession = Parameters();
        withoutSession["prompt"] = "none";
        var refused = await _client.AuthorizeAsync(withoutSession);
        Assert.Equal("login_required", refused.Error);
        Assert.Equal(withoutSession["state"], refused.Get("state"));

        await SignInOnPageAsync();
        var withSession = Parameters();
        withSession["prompt"] = "none";
        Assert.Equal(Subject, (await SilentAsync(withSession)).Subject);
    }

    [Fact]
    public async Task PromptLogin_RunsCeremony_AuthTimeUpdated_SameSession()
    {
        var (_, first) = await SignInOnPageAsync();
        _factory.Clock.Advance(TimeSpan.FromMinutes(3));

        var parameters = Parameters();
        parameters["prompt"] = "login";
        var (_, fresh) = await CeremonyAsync(parameters);

        Assert.Equal(first.GetPayloadValue<long>("auth_time") + 180, fresh.GetPayloadValue<long>("auth_time"));
        Assert.Equal(first.GetPayloadValue<string>("sid"), fresh.GetPayloadValue<string>("sid"));
        Assert.Equal(fresh.GetPayloadValue<long>("auth_time"), (await SilentAsync(Parameters())).GetPayloadValue<long>("auth_time"));
    }

    [Fact]
    public async Task MaxAge_ShorterThanSession_Ceremony_LongerSilent_PromptNoneLoginRequired()
    {
        var (_, first) = await SignInOnPageAsync();
        _factory.Clock.Advance(TimeSpan.FromSeconds(2));

        var longer = Parameters();
        longer["max_age"] = "10000";
        Assert.Equal(first.GetPayloadValue<long>("auth_time"), (await SilentAsync(longer)).GetPayloadValue<long>("auth_time"));

        var silentOnly = Parameters();
        silentOnly["max_age"] = "1";
        silentOnly["prompt"] = "none";
        Assert.Equal("login_required", (await _client.AuthorizeAsync(silentOnly)).Error);

        var shorter = Parameters();
        shorter["max_age"] = "1";
        var (_, fresh) = await CeremonyAsync(shorter);
        Assert.True(fresh.GetPayloadValue<long>("auth_time") > first.GetPayloadValue<long>("auth_time"));
    }

    [Fact]
    public async Task IdTokenHint_SameSubjectSilent_OtherSubjectLoginRequiredOrCeremony_TamperedRefused()
    {
        var (_, idToken) = await SignInOnPageAsync();
        var other = _factory.Services.GetRequiredService<LoginTokenWriter>().Write(
            LoginGrants.For(new Core.PasskeyLogin.VerifiedPasskeyLogin("someone-else", null, _factory.Clock.GetUtcNow(), _factory.Clock.GetUtcNow(), "k", "j"),
                SecondClientId, ["openid"], SecondRedirectUri, null, null), []).IdToken!;

        // Ours, even expired (the relying party keeps the ID token it got).
        _factory.Clock.Advance(TimeSpan.FromHours(2));
        var own = Parameters(HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedRedirectUri);
        own["id_token_hint"] = idToken.EncodedToken;
        own["prompt"] = "none";
        Assert.Equal(Subject, (await SilentAsync(own)).Subject);

        var otherSilent = Parameters();
        otherSilent["id_token_hint"] = other;
        otherSilent["prompt"] = "none";
        Assert.Equal("login_required", (await _client.AuthorizeAsync(otherSilent)).Error);

        var otherPrompting = Parameters();
        otherPrompting["id_token_hint"] = other;
        await AssertSentToPageAsync(otherPrompting);

        var tampered = Parameters();
        tampered["id_token_hint"] = other[..^4] + (other[^4] == 'A' ? "BBBB" : "AAAA");
        var refused = await _client.AuthorizeAsync(tampered);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("invalid_request", refused.Error);

        // Issued to another client than the one asking.
        var otherAudience = Parameters(HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedRedirectUri);
        otherAudience["id_token_hint"] = other;
        Assert.Equal("invalid_request", (await _client.AuthorizeAsync(otherAudience)).Error);
    }

    [Fact]
    public async Task LoginHint_WinsOverSession()
    {
        await SignInOnPageAsync();
        var parameters = Parameters();
        parameters["login_hint"] = "jane.doe@example.com";
        await AssertSentToPageAsync(parameters);

        var signed = Parameters();
        signed["login_hint"] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        Assert.Equal("access_denied", (await _client.AuthorizeAsync(signed)).Error);
    }

    [Fact]
    public async Task ClientWithoutSingleSignOn_AlwaysCeremony()
    {
        await SignInOnPageAsync();
        await AssertSentToPageAsync(Parameters(NoSsoClientId, NoSsoRedirectUri));

        var silent = Parameters(NoSsoClientId, NoSsoRedirectUri);
        silent["prompt"] = "none";
        Assert.Equal("login_required", (await _client.AuthorizeAsync(silent)).Error);
    }

    [Fact]
    public async Task Session_EndsWhenIdle_AndAtItsAbsoluteLifetime()
    {
        await SignInOnPageAsync();
        _factory.Clock.Advance(TimeSpan.FromHours(7));
        await SilentAsync(Parameters());
        _factory.Clock.Advance(TimeSpan.FromHours(7));
        await SilentAsync(Parameters());
        _factory.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromSeconds(1));
        await AssertSentToPageAsync(Parameters());
    }

    [Fact]
    public async Task Revoked_EndsAtOnce_ObserverToldInTheSameUnitOfWork()
    {
        var (_, idToken) = await SignInOnPageAsync();
        await SilentAsync(Parameters());
        var sessions = _factory.Services.GetRequiredService<IdpSessions>();

        var ended = Assert.Single(await sessions.RevokeAsync(null, Subject, default));

        Assert.Equal(idToken.GetPayloadValue<string>("sid"), ended.Sid);
        Assert.Equal([HostedPasskeyDriver.HostedClientId, SecondClientId], ended.ClientIds);
        Assert.Equal(SessionEndReason.Revoked, ended.Reason);
        var told = Assert.Single(_observer.Told);
        Assert.Equal(ended, told);
        Assert.Empty(await SessionRowsAsync());
        await AssertSentToPageAsync(Parameters());
        Assert.Empty(await sessions.RevokeAsync(idToken.GetPayloadValue<string>("sid"), null, default));
    }

    [Fact]
    public async Task ObserverFailure_SessionDoesNotEnd()
    {
        await SignInOnPageAsync();
        _observer.Fail = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _factory.Services.GetRequiredService<IdpSessions>().RevokeAsync(null, Subject, default));

        Assert.Single(await SessionRowsAsync());
        await SilentAsync(Parameters());
    }

    [Theory]
    [InlineData("not-a-handle")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ForgedCookie_SentToPage_NeverAnError(string value)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString("authorize", Parameters().Where(p => p.Value is not null).ToDictionary()));
        message.Headers.Add("Cookie", SessionCookie.Name + "=" + value);
        using var response = await _client.SendAsync(message);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/passkeys/sign-in?request=", response.Headers.Location!.OriginalString);
    }

    private sealed class RecordingObserver : ISessionEndObserver
    {
        public List<EndedSession> Told { get; } = [];

        public bool Fail { get; set; }

        public Task SessionsEndingAsync(OidcDbContext context, IReadOnlyList<EndedSession> sessions, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new InvalidOperationException("observer failed");
            }

            Told.AddRange(sessions);
            return Task.CompletedTask;
        }
    }
}
