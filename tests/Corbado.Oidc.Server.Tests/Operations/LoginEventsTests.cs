using System.Diagnostics.Metrics;
using Corbado.Oidc.Core.Diagnostics;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Label values are bounded: a client id nobody registered collapses to a fixed value and reasons come only from the
/// refusal catalogue, so a hostile client cannot create time series; one audit event is written per outcome, and one
/// operator line per refusal.
/// </summary>
public sealed class LoginEventsTests : IDisposable
{
    private const string Registered = "rp-registered";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RegisteredSet _clients = new() { Registered };
    private readonly LogCapture _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly MetricCapture _measurements;
    private readonly LoginEvents _events;

    public LoginEventsTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        _measurements = new MetricCapture(meters);
        _events = new LoginEvents(new OidcMetrics(meters), new MetricLabels(_clients), _loggerFactory, new HttpContextAccessor(), TimeProvider.System,
            new SubjectHashes(Options.Create(new AuditOptions { SubjectHashSalt = TestAuditSalt.Value })));
    }

    [Fact]
    public void LoginAttempted_UnregisteredClients_CollapseToOneLabel()
    {
        for (var i = 0; i < 50; i++)
        {
            _events.LoginAttempted("hostile-" + i, Refusals.BadSignature, null, null, null);
        }

        _events.LoginAttempted(Registered, Refusals.Replayed, null, null, null);
        _events.LoginAttempted(Registered, null, "user-1", "kid-1", "jti-hash");

        var logins = _measurements.Of("corbado.oidc.logins").Select(m => m.Tags).ToList();
        Assert.Equal(52, logins.Count);
        Assert.Equal(3, logins.Select(t => (t["client_id"], t["reason"], t["outcome"])).Distinct().Count());
        Assert.Equal(50, logins.Count(t => t["client_id"] == MetricLabels.UnknownClient && t["reason"] == "bad_signature" && t["outcome"] == "refused"));
        Assert.Single(logins, t => t["client_id"] == Registered && t["reason"] == "replayed");
        Assert.Single(logins, t => t["client_id"] == Registered && t["reason"] == "none" && t["outcome"] == "accepted");
    }

    [Fact]
    public void TokenAndStepEvents_UnknownGrantTypeAndStep_CollapseToOther()
    {
        _events.TokenRequestCompleted("urn:example:hostile", "hostile", null, "user-1");
        _events.TokenRequestCompleted("authorization_code", Registered, null, "user-1");
        _events.TokenRequestCompleted("authorization_code", Registered, Refusals.InvalidCode, "user-1");
        _events.StepCompleted("made_up_step", TimeSpan.FromMilliseconds(1));
        _events.StepCompleted("hint_verification", TimeSpan.FromMilliseconds(1));
        _events.CodeReplayed("hostile");

        var tokens = _measurements.Of("corbado.oidc.tokens.issued").Select(m => m.Tags).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.Single(tokens, t => t["grant_type"] == MetricLabels.Other && t["client_id"] == MetricLabels.UnknownClient);
        Assert.Single(tokens, t => t["grant_type"] == "authorization_code" && t["client_id"] == Registered);
        Assert.Equal(["hint_verification", MetricLabels.Other],
            _measurements.Tag("corbado.oidc.login.duration", "step").Order(StringComparer.Ordinal));
        Assert.Equal([MetricLabels.UnknownClient], _measurements.Tag("corbado.oidc.code.replays", "client_id"));
    }

    [Fact]
    public void Events_WriteOneAuditEventEach_OnTheAuditCategoryWithTheSubjectHashed()
    {
        _events.LoginAttempted(Registered, null, "user-1", "kid-1", "jti-hash");
        _events.LoginAttempted(Registered, Refusals.Expired, null, "kid-1", "jti-hash-2");
        _events.TokenRequestCompleted("authorization_code", Registered, null, "user-1");
        _events.CodeReplayed(Registered);

        var audit = _logs.Lines.Where(line => line.Contains(" Corbado.Oidc.Audit[4000] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, audit.Count);
        // Besides the audit: one operator line for the refusal and one for the replay; none for the accepted login.
        Assert.Equal(["Corbado.Oidc.Server.Login[2002]", "Corbado.Oidc.Server.Login[2006]"],
            _logs.Lines.Except(audit).Select(line => line.Split(' ').First(part => part.StartsWith("Corbado.Oidc.Server.Login[", StringComparison.Ordinal))));
        Assert.All(audit, line => Assert.DoesNotContain("user-1", line));
        Assert.Equal(2, audit.Count(line => line.Contains("SubjectHash=" + _events.HashSubject("user-1"), StringComparison.Ordinal)));
    }

    [Fact]
    public void LoginAttempted_Method_IsABoundedLabelAndAnAuditField()
    {
        _events.LoginAttempted(Registered, null, "user-1", "kid-1", "jti-hash");
        _events.LoginAttempted(Registered, null, "user-1", null, null, method: Core.PasskeyLogin.LoginMethods.HostedPasskey);
        _events.LoginAttempted(Registered, Refusals.Cancelled, null, null, null, method: "made_up_method");

        Assert.Equal(["hint", "hosted_passkey", MetricLabels.Other], _measurements.Tag("corbado.oidc.logins", "method"));
        var audit = _logs.Lines.Where(line => line.Contains(" Corbado.Oidc.Audit[4000] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, audit.Count);
        Assert.Contains("Method=hint ", audit[0]);
        Assert.Contains("Method=hosted_passkey ", audit[1]);
        Assert.Contains("Method=other ", audit[2]);
        // The message is short; the values are state only.
        Assert.Contains("Audit login refused: cancelled", audit[2]);
    }

    [Fact]
    public void AuditEvent_KeyIdWithLineBreakAndOverlongUserInput_IsBoundedAndCannotForgeALine()
    {
        _events.LoginAttempted(new string('c', 500), Refusals.UnknownKey, null, "kid\nAudit login: outcome accepted", "jti-hash");

        var line = Assert.Single(_logs.Lines, l => l.Contains(" Corbado.Oidc.Audit[4000] ", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', line);
        Assert.Contains("KeyId=kid?Audit login: outcome accepted", line);
        Assert.Contains("ClientId=" + new string('c', LoginEvents.MaxIdLength) + " ", line);
        Assert.DoesNotContain(new string('c', LoginEvents.MaxIdLength + 1), line);
        Assert.All(_logs.Lines, logged => Assert.DoesNotContain('\n', logged));
    }

    private sealed class RegisteredSet : HashSet<string>, IRegisteredClients
    {
        public bool IsRegistered(string clientId) => Contains(clientId);
    }

    public void Dispose()
    {
        _measurements.Dispose();
        _loggerFactory.Dispose();
        _services.Dispose();
    }
}
