using System.Text.RegularExpressions;
using Corbado.Oidc.Server.Tests.Operations;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// A graceful stop (SIGTERM: a rolling update, <c>docker stop</c>) loses no audit event: the console logger writes
/// its lines in batches, and what is still queued when the host stops is written before the process exits.
/// </summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task SigTermRightAfterLogins_ExitsWithZero_AndEveryAuditEventIsWritten()
    {
        const int logins = 20;
        using var server = await OperatedServer.StartAsync();
        using var client = server.CreatePublicClient();

        for (var i = 0; i < logins; i++)
        {
            var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(server.Minter.Mint(), OperatedServer.ClientId, OperatedServer.RedirectUri));
            Assert.NotNull(response.Code);
        }

        // No wait for the output first: the last events are still queued when the signal arrives.
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));

        var accepted = Regex.Count(server.Output, "\"AuditEvent\":\"login\",\"Outcome\":\"accepted\"");
        Assert.Equal(logins, accepted);
        Assert.Contains("Application is shutting down", server.Output);
    }
}
