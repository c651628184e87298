using System.Net;
using Corbado.Oidc.Testing;
using Npgsql;

namespace Corbado.Oidc.Server.Tests.PostgreSql;

/// <summary>
/// Issue 5: the database goes away under a running server (every connection cut, new ones refused) and comes back.
/// /authorize redirects with temporarily_unavailable, /token answers 503 temporarily_unavailable, readiness turns false, nothing is half-done, and service resumes alone.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task DatabaseCut_Answers503AndNotReady_ThenRecoversByItself()
    {
        var direct = new NpgsqlConnectionStringBuilder(await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync());
        await using var cutter = new TcpCutter(new IPEndPoint(IPAddress.Loopback, direct.Port));
        var viaCutter = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = cutter.Port, Timeout = 2, CommandTimeout = 5 };
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Database:Provider"] = "PostgreSql";
            settings["ConnectionStrings:Oidc"] = viaCutter.ConnectionString;
        });
        using var client = factory.CreateProtocolClient();
        var before = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        Assert.NotNull(before.Code);

        cutter.Cut();
        var hintDuringOutage = factory.Minter.Mint();
        var authorize = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hintDuringOutage));
        using var token = await client.RedeemCodeAsync(before.Code!);
        using var notReady = await client.GetAsync("health/ready");

        Assert.Null(authorize.Code);
        // The client is known (cached), so the answer goes to its redirect URI, one shape whichever step failed
        // (Refusals.InternalError): verifying the hint or storing the code.
        Assert.Equal("temporarily_unavailable", authorize.Error);
        Assert.Equal(CorbadoOidcServerFactory.ConfidentialRedirectUri, authorize.RedirectTarget?.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, token.StatusCode);
        Assert.Equal("temporarily_unavailable", (await token.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.NotNull(token.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);

        cutter.Restore();
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 50 && ready != HttpStatusCode.OK; attempt++)
        {
            using var probe = await client.GetAsync("health/ready");
            ready = probe.StatusCode;
            await Task.Delay(ready == HttpStatusCode.OK ? 0 : 200);
        }

        // The code from before the outage was not burnt by the failed attempt, and the hint refused during the
        // outage was not consumed: both still work once.
        using var redeemedAfter = await client.RedeemCodeAsync(before.Code!);
        var retried = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hintDuringOutage));

        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.Equal(HttpStatusCode.OK, redeemedAfter.StatusCode);
        Assert.NotNull(retried.Code);
    }
}
