using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>Every audit event of one user carries the same subject hash, login and administration alike.</summary>
public sealed class SubjectHashTests
{
    [Fact]
    public void DevelopmentWithoutSalt_LoginAndAdminAuditHashAUserAlike()
    {
        // Without a salt (Development only) the key is random per process: it must still be one key for the process.
        var capture = new LogCapture();
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Audit:SubjectHashSalt"] = null;
            settings["Logging:LogLevel:Default"] = "Information";
        }, environment: "Development")
        {
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(capture),
        };

        var loginHash = factory.Services.GetRequiredService<LoginEvents>().HashSubject("alice");
        factory.Services.GetRequiredService<AdminAudit>().UserChanged("admin.user_set", "cli", "accepted", "alice");

        Assert.Matches("^[0-9a-f]{32}$", loginHash);
        Assert.NotEqual(new SubjectHashes(Microsoft.Extensions.Options.Options.Create(new Core.Options.AuditOptions())).Hash("alice"), loginHash);
        Assert.Contains(capture.Lines, line => line.Contains("admin.user_set", StringComparison.Ordinal)
            && line.Contains("subject hash " + loginHash, StringComparison.Ordinal));
    }
}
