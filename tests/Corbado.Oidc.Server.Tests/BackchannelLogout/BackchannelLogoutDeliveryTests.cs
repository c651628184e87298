using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Corbado.Oidc.Server.Login.BackchannelLogout;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.BackchannelLogout;

/// <summary>
/// Back-Channel Logout 1.0 delivery, server on real Kestrel, relying party a real loopback HTTP endpoint
/// (<see cref="BackchannelLogoutReceiver"/>): the token's shape and signature against the JWKS as served, retries of a
/// relying party that is down, abandonment, and a slow relying party that holds nothing up.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class BackchannelLogoutDeliveryTests
{
    private const string Subject = "user-4711";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SessionEnd_PostsFormEncodedLogoutToken_ThatVerifiesAgainstOurJwks_WithEveryClaim()
    {
        await using var receiver = new BackchannelLogoutReceiver();
        await receiver.StartAsync();
        using var factory = CreateFactory(receiver);
        var address = factory.StartOnKestrel();
        using var measurements = new MetricCapture(factory.Services.GetRequiredService<IMeterFactory>());
        var sid = "sid-" + Guid.NewGuid().ToString("N");

        await SessionEnds.EndAsync(factory.Services, new EndedSession(sid, Subject, [CorbadoOidcServerFactory.ConfidentialClientId, CorbadoOidcServerFactory.PublicClientId], SessionEndReason.Logout));
        await receiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, Wait, "the logout token");

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType?.Split(';')[0]);
        Assert.Equal(["logout_token"], request.FormKeys);
        Assert.Empty(request.Cookies);

        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var jwks = new JsonWebKeySet(await http.GetStringAsync(".well-known/jwks"));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(request.LogoutToken, new TokenValidationParameters
        {
            ValidIssuer = factory.Issuer.AbsoluteUri,
            ValidAudience = CorbadoOidcServerFactory.ConfidentialClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["logout+jwt"],
            // The server's clock is the test's fake clock, which started at the real time.
            ClockSkew = TimeSpan.FromMinutes(1),
        });
        Assert.True(validation.IsValid, validation.Exception?.ToString());

        var token = (JsonWebToken)validation.SecurityToken;
        Assert.Equal("logout+jwt", token.Typ);
        Assert.Equal("RS256", token.Alg);
        Assert.Contains(jwks.Keys, key => key.Kid == token.Kid);
        Assert.Equal(factory.Issuer.AbsoluteUri, token.Issuer);
        Assert.Equal([CorbadoOidcServerFactory.ConfidentialClientId], token.Audiences);
        Assert.Equal(Subject, token.Subject);
        Assert.Equal(sid, token.GetClaim("sid").Value);
        Assert.Matches("^[0-9a-f]{32}$", token.Id);
        Assert.Equal(factory.Clock.GetUtcNow().ToUnixTimeSeconds(), token.GetPayloadValue<long>("iat"), tolerance: 2);
        Assert.Equal(120, token.GetPayloadValue<long>("exp") - token.GetPayloadValue<long>("iat"));
        Assert.False(token.TryGetPayloadValue<object>("nonce", out _), "a logout token must not carry a nonce (§2.4)");
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        var events = payload.RootElement.GetProperty("events");
        Assert.Equal(JsonValueKind.Object, events.GetProperty("http://schemas.openid.net/event/backchannel-logout").ValueKind);
        Assert.Empty(events.GetProperty("http://schemas.openid.net/event/backchannel-logout").EnumerateObject());
        // Exactly the claims of §2.4 (nbf, which the token handler adds, is allowed by it); no nonce.
        Assert.Equal(["aud", "events", "exp", "iat", "iss", "jti", "sid", "sub"],
            payload.RootElement.EnumerateObject().Select(claim => claim.Name).Where(name => name != "nbf").Order(StringComparer.Ordinal));

        // The public client registered no back-channel URI: one row, one delivery, then the outbox is empty.
        Assert.Equal(0, await CountOutboxAsync(factory));
        Assert.Equal(["sent"], measurements.Tag("corbado.oidc.backchannel_logouts", "outcome"));
        Assert.Equal([CorbadoOidcServerFactory.ConfidentialClientId], measurements.Tag("corbado.oidc.backchannel_logouts", "client_id"));
    }

    [Fact]
    public async Task Discovery_AdvertisesBackchannelLogoutWithSessions()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync(".well-known/openid-configuration");
        var discovery = await response.ReadJsonAsync();

        Assert.True(discovery.GetProperty("backchannel_logout_supported").GetBoolean());
        Assert.True(discovery.GetProperty("backchannel_logout_session_supported").GetBoolean());
    }

    [Fact]
    public async Task RelyingPartyDown_AtLogout_GetsItsTokenAfterItComesBack_SameJti()
    {
        await using var receiver = new BackchannelLogoutReceiver();
        using var factory = CreateFactory(receiver);
        factory.StartOnKestrel();
        using var measurements = new MetricCapture(factory.Services.GetRequiredService<IMeterFactory>());

        await SessionEnds.EndAsync(factory.Services, new EndedSession("sid-down", Subject, [CorbadoOidcServerFactory.ConfidentialClientId], SessionEndReason.Revoked));
        var failed = await WaitForRowAsync(factory, row => row.Attempts == 1 && row.LastFailure != null);
        Assert.Equal("network", failed.LastFailure);

        // Back up, answering 503 first (a relying party still starting), then 200.
        receiver.Status = HttpStatusCode.ServiceUnavailable;
        await receiver.StartAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await receiver.WaitUntilAsync(r => r.Requests.Count == 1 && r.Requests[0].Answered is not null, Wait, "the 503 attempt");
        await WaitForRowAsync(factory, row => row.Attempts == 2 && row.LastFailure == "http_status");
        receiver.Status = HttpStatusCode.OK;
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await receiver.WaitUntilAsync(r => r.Acknowledged.Count == 1, Wait, "the delivery after the relying party came back");

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(new JsonWebToken(receiver.Requests[0].LogoutToken).Id, new JsonWebToken(receiver.Requests[1].LogoutToken).Id);
        Assert.Equal(0, await CountOutboxAsync(factory));
        Assert.Equal(["retried", "retried", "sent"], measurements.Tag("corbado.oidc.backchannel_logouts", "outcome"));
        Assert.Equal(["network", "http_status", "none"], measurements.Tag("corbado.oidc.backchannel_logouts", "reason"));
    }

    [Fact]
    public async Task RelyingPartyFailing_IsAbandonedAfterMaxAttempts_WithMetricWarningAndAuditEvent()
    {
        await using var receiver = new BackchannelLogoutReceiver { Status = HttpStatusCode.InternalServerError };
        await receiver.StartAsync();
        var logs = new LogCapture();
        using var factory = CreateFactory(receiver, logs, settings =>
        {
            settings["BackchannelLogout:MaxAttempts"] = "2";
            settings["Logging:LogLevel:Corbado.Oidc.Audit"] = "Information";
        });
        factory.StartOnKestrel();
        using var measurements = new MetricCapture(factory.Services.GetRequiredService<IMeterFactory>());

        await SessionEnds.EndAsync(factory.Services, new EndedSession("sid-abandoned", Subject, [CorbadoOidcServerFactory.ConfidentialClientId], SessionEndReason.Logout));
        await WaitForRowAsync(factory, row => row.Attempts == 1 && row.LastFailure == "http_status");
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(async () => await CountOutboxAsync(factory) == 0, "the abandonment");

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(["retried", "abandoned"], measurements.Tag("corbado.oidc.backchannel_logouts", "outcome"));
        Assert.Equal(["http_status", "max_attempts"], measurements.Tag("corbado.oidc.backchannel_logouts", "reason"));
        var audit = Assert.Single(logs.Lines, line => line.Contains("Corbado.Oidc.Audit[4000]", StringComparison.Ordinal) && line.Contains("backchannel_logout", StringComparison.Ordinal));
        Assert.Contains("Outcome=abandoned", audit);
        Assert.Contains("Reason=max_attempts", audit);
        Assert.Contains("ClientId=" + CorbadoOidcServerFactory.ConfidentialClientId, audit);
        Assert.DoesNotContain(Subject, audit);
        Assert.Single(logs.Lines, line => line.StartsWith("Warning Corbado.Oidc.Server.BackchannelLogout[2303]", StringComparison.Ordinal));
        // Never the token, in any line.
        Assert.DoesNotContain(logs.Lines, line => receiver.Requests.Any(request => line.Contains(request.LogoutToken!, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SlowRelyingParty_TimesOut_WithoutHoldingUpLoginsOrOtherRelyingParties()
    {
        await using var slow = new BackchannelLogoutReceiver { Delay = TimeSpan.FromSeconds(10) };
        await using var fast = new BackchannelLogoutReceiver();
        await slow.StartAsync();
        await fast.StartAsync();
        using var factory = CreateFactory(slow, configure: settings =>
        {
            settings["Clients:1:BackchannelLogoutUri"] = fast.Uri.AbsoluteUri;
            settings["BackchannelLogout:Timeout"] = "00:00:01";
            settings["BackchannelLogout:LeaseDuration"] = "00:00:05";
        });
        var address = factory.StartOnKestrel();
        using var measurements = new MetricCapture(factory.Services.GetRequiredService<IMeterFactory>());
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        var ended = System.Diagnostics.Stopwatch.StartNew();
        await SessionEnds.EndAsync(factory.Services, new EndedSession("sid-slow", Subject,
            [CorbadoOidcServerFactory.ConfidentialClientId, CorbadoOidcServerFactory.PublicClientId], SessionEndReason.Logout));
        var endTook = ended.Elapsed;
        await slow.WaitUntilAsync(r => r.Requests.Count == 1, Wait, "the slow relying party's request");

        // While the slow relying party holds its request: a login completes, the other relying party has its token.
        var login = System.Diagnostics.Stopwatch.StartNew();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        Assert.NotNull(authorization.Code);
        Assert.True(login.Elapsed < TimeSpan.FromSeconds(1), $"a login took {login.Elapsed} while a relying party was slow");
        await fast.WaitUntilAsync(r => r.Acknowledged.Count == 1, Wait, "the other relying party's token");
        Assert.True(endTook < TimeSpan.FromSeconds(1), $"ending the session took {endTook}");

        var row = await WaitForRowAsync(factory, entry => entry.LastFailure == "timeout");
        Assert.Equal(1, row.Attempts);
        Assert.Contains("timeout", measurements.Tag("corbado.oidc.backchannel_logouts", "reason"));
    }

    [Fact]
    public async Task CompetingSenders_ClaimEveryRowOnce_EachTokenDeliveredOnce()
    {
        await using var receiver = new BackchannelLogoutReceiver { Status = HttpStatusCode.ServiceUnavailable };
        await receiver.StartAsync();
        using var factory = CreateFactory(receiver);
        factory.StartOnKestrel();
        var sessions = Enumerable.Range(0, 100).Select(i => new EndedSession("sid-" + i, Subject, [CorbadoOidcServerFactory.ConfidentialClientId], SessionEndReason.Revoked)).ToArray();
        await SessionEnds.EndAsync(factory.Services, sessions);
        await WaitUntilAsync(async () =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<OidcDbContext>().BackchannelLogouts.CountAsync(row => row.Attempts == 1 && row.LastFailure != null) == 100;
        }, "every row to have failed once");
        var failedAttempts = receiver.Requests.Count;

        // Every row due at the same instant, and five senders (four replicas' worth plus the server's own) after them; the
        // relying party takes 300 ms per request, so a row is still there, held, while the other senders look at it.
        receiver.Status = HttpStatusCode.OK;
        receiver.Delay = TimeSpan.FromMilliseconds(300);
        var senders = Enumerable.Range(0, 4).Select(_ => ActivatorUtilities.CreateInstance<BackchannelLogoutSender>(factory.Services)).ToList();
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(senders.Select(sender => Task.Run(() => sender.DeliverDueAsync(CancellationToken.None))));
        await receiver.WaitUntilAsync(r => r.Acknowledged.Count >= 100, Wait, "a hundred deliveries");
        await Task.Delay(500);

        Assert.Equal(100, receiver.Acknowledged.Count);
        Assert.Equal(100, receiver.Requests.Count - failedAttempts);
        Assert.Equal(100, receiver.Acknowledged.Select(request => new JsonWebToken(request.LogoutToken).Id).Distinct().Count());
        Assert.Equal(0, await CountOutboxAsync(factory));
    }

    private static CorbadoOidcServerFactory CreateFactory(BackchannelLogoutReceiver receiver, LogCapture? logs = null,
        Action<Dictionary<string, string?>>? configure = null)
    {
        var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Clients:0:BackchannelLogoutUri"] = receiver.Uri.AbsoluteUri;
            settings["Clients:0:BackchannelLogoutSessionRequired"] = "true";
            settings["BackchannelLogout:PollInterval"] = "00:00:00.1";
            settings["BackchannelLogout:InitialRetryDelay"] = "00:00:10";
            configure?.Invoke(settings);
        })
        {
            ConfigureServices = services =>
            {
                if (logs is not null)
                {
                    services.AddSingleton<ILoggerProvider>(logs);
                }
            },
        };
        return factory;
    }

    private static async Task<int> CountOutboxAsync(CorbadoOidcServerFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OidcDbContext>().BackchannelLogouts.CountAsync();
    }

    private static async Task<BackchannelLogoutEntry> WaitForRowAsync(CorbadoOidcServerFactory factory, Func<BackchannelLogoutEntry, bool> condition)
    {
        BackchannelLogoutEntry? found = null;
        await WaitUntilAsync(async () =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var rows = await scope.ServiceProvider.GetRequiredService<OidcDbContext>().BackchannelLogouts.AsNoTracking().ToListAsync();
            found = rows.FirstOrDefault(condition);
            return found is not null;
        }, "an outbox row in the expected state");
        return found!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            await Task.Delay(50);
        }
    }
}
