using System.Diagnostics.Metrics;
using Corbado.Oidc.Core.Diagnostics;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// Label values are bounded: a client id nobody registered and a reason code outside the allow-list collapse to fixed
/// values, so a hostile client cannot create time series; and one audit event is written per call.
/// </summary>
public sealed class LoginEventsTests : IDisposable
{
    private const string Registered = "rp-registered";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RegisteredClientCache _clients = new(Options.Create(new OidcOptions()));
    private readonly LogCapture _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly MetricCapture _measurements;
    private readonly LoginEvents _events;

    public LoginEventsTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        _measurements = new MetricCapture(meters);
        _clients.Remember(Registered, new OpenIddictEntityFrameworkCoreApplication { ClientId = Registered });
        _events = new LoginEvents(new OidcMetrics(meters), new MetricLabels(_clients), _loggerFactory, new HttpContextAccessor(), TimeProvider.System,
            Options.Create(new AuditOptions { SubjectHashSalt = TestAuditSalt.Value }));
    }

    [Fact]
    public void LoginAttempted_UnregisteredClientAndUnknownReason_CollapseToFixedLabels()
    {
        for (var i = 0; i < 50; i++)
        {
            _events.LoginAttempted("hostile-" + i, "made_up_reason_" + i, null, null, null);
        }

        _events.LoginAttempted(Registered, "replayed", null, null, null);
        _events.LoginAttempted(Registered, null, "user-1", "kid-1", "jti-hash");

        var logins = _measurements.Of("corbado.oidc.logins").Select(m => m.Tags).ToList();
        Assert.Equal(52, logins.Count);
        Assert.Equal(3, logins.Select(t => (t["client_id"], t["reason"], t["outcome"])).Distinct().Count());
        Assert.Equal(50, logins.Count(t => t["client_id"] == MetricLabels.UnknownClient && t["reason"] == MetricLabels.Other && t["outcome"] == "refused"));
        Assert.Single(logins, t => t["client_id"] == Registered && t["reason"] == "replayed");
        Assert.Single(logins, t => t["client_id"] == Registered && t["reason"] == "none" && t["outcome"] == "accepted");
    }

    [Fact]
    public void TokenAndStepEvents_UnknownGrantTypeAndStep_CollapseToOther()
    {
        _events.TokenRequestCompleted("urn:example:hostile", "hostile", null, "user-1");
        _events.TokenRequestCompleted("authorization_code", Registered, null, "user-1");
        _events.TokenRequestCompleted("authorization_code", Registered, "invalid_grant", "user-1");
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
        _events.LoginAttempted(Registered, "expired", null, "kid-1", "jti-hash-2");
        _events.TokenRequestCompleted("authorization_code", Registered, null, "user-1");
        _events.CodeReplayed(Registered);

        var audit = _logs.Lines.Where(line => line.Contains(" Corbado.Oidc.Audit[4000] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, audit.Count);
        Assert.Equal(_logs.Lines.Count, audit.Count);
        Assert.All(audit, line => Assert.DoesNotContain("user-1", line));
        Assert.Equal(2, audit.Count(line => line.Contains("SubjectHash=" + _events.HashSubject("user-1"), StringComparison.Ordinal)));
    }

    [Fact]
    public void AuditEvent_KeyIdWithLineBreakAndOverlongUserInput_IsBoundedAndCannotForgeALine()
    {
        _events.LoginAttempted(new string('c', 500), "unknown_key", null, "kid\nAudit login: outcome accepted", "jti-hash");

        var line = Assert.Single(_logs.Lines, l => l.Contains(" Corbado.Oidc.Audit[4000] ", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', line);
        Assert.Contains("KeyId=kid?Audit login: outcome accepted", line);
        Assert.Contains("ClientId=" + new string('c', LoginEvents.MaxIdLength) + " ", line);
        Assert.DoesNotContain(new string('c', LoginEvents.MaxIdLength + 1), line);
    }

    public void Dispose()
    {
        _measurements.Dispose();
        _loggerFactory.Dispose();
        _clients.Dispose();
        _services.Dispose();
    }
}
