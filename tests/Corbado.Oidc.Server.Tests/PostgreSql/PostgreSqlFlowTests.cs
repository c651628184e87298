using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.PostgreSql;

/// <summary>The same protocol on PostgreSQL, the production database shared by replicas.</summary>
public sealed class PostgreSqlFlowTests
{
    private static async Task<CorbadoOidcServerFactory> CreateFactoryAsync()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        return new CorbadoOidcServerFactory(settings =>
        {
            settings["Database:Provider"] = "PostgreSql";
            settings["ConnectionStrings:Oidc"] = connectionString;
        });
    }

    [Fact]
    public async Task Authorize_ValidHintOnPostgreSql_IssuesCodeAndTokens()
    {
        using var factory = await CreateFactoryAsync();
        using var client = factory.CreateProtocolClient();

        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        using var tokenResponse = await client.RedeemCodeAsync(authorization.Code!);

        Assert.Equal(HttpStatusCode.Redirect, authorization.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.True((await tokenResponse.ReadJsonAsync()).TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Authorize_SameHintFromTwoReplicasConcurrently_YieldsExactlyOneCode()
    {
        // Two server instances on one database stand for two replicas behind a load balancer.
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        void Configure(Dictionary<string, string?> settings)
        {
            settings["Database:Provider"] = "PostgreSql";
            settings["ConnectionStrings:Oidc"] = connectionString;
        }

        using var replicaA = new CorbadoOidcServerFactory(Configure);
        var hint = replicaA.Minter.Mint();
        using var replicaB = new CorbadoOidcServerFactory(settings =>
        {
            Configure(settings);
            settings["Corbado:JwksFile"] = replicaA.JwksFile;
        });
        using var clientA = replicaA.CreateProtocolClient();
        using var clientB = replicaB.CreateProtocolClient();

        var attempts = Enumerable.Range(0, 10)
            .Select(i => (i % 2 == 0 ? clientA : clientB).AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint)));
        var responses = await Task.WhenAll(attempts);

        Assert.Single(responses, r => r.Code is not null);
        Assert.All(responses.Where(r => r.Code is null), r => Assert.Equal("access_denied", r.Error));
    }
}
