using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// Issue 13: three real server processes on different loopback ports sharing one PostgreSQL database, started at the
/// same moment on an empty database. Every login step may land on any replica.
/// </summary>
public sealed class ReplicaFleetTests(FleetStartFixture fixture) : IClassFixture<FleetStartFixture>
{
    private ServerFleet Fleet
    {
        get
        {
            Assert.True(fixture.StartFailure is null, "The replicas did not all start: " + fixture.StartFailure);
            return fixture.Fleet;
        }
    }

    [Fact]
    public async Task StartedTogetherOnEmptyDatabase_AllReady_OneKeySetBetweenThem()
    {
        var fleet = Fleet;
        var jwks = new List<string>();
        for (var replica = 0; replica < fleet.Count; replica++)
        {
            using var client = fleet.CreateClient(replica);
            jwks.Add(await client.GetStringAsync(".well-known/jwks"));
        }

        Assert.All(jwks, document => Assert.Equal(jwks[0], document));
        Assert.Single(new JsonWebKeySet(jwks[0]).Keys);
        Assert.Equal([("enc", 1L), ("int", 1L), ("ros", 1L), ("sig", 1L)], await KeyCountsByUseAsync());
    }

    [Fact]
    public async Task Login_AuthorizedAtA_RedeemedAtB_IdTokenVerifiesAgainstJwksOfC()
    {
        var fleet = Fleet;
        using var a = fleet.CreateClient(0);
        using var b = fleet.CreateClient(1);
        using var c = fleet.CreateClient(2);

        var authorization = await a.AuthorizeAsync(fleet.AuthorizeParameters(fleet.Minter.Mint()));
        using var tokenResponse = await fleet.RedeemAsync(b, authorization.Code!);
        var idToken = (await tokenResponse.ReadJsonAsync()).GetProperty("id_token").GetString()!;
        var validation = await ValidateAsync(idToken, await c.GetStringAsync(".well-known/jwks"));

        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task OneHint_SentConcurrentlyToAllThree_ExactlyOneCode()
    {
        var fleet = Fleet;
        var clients = Enumerable.Range(0, fleet.Count).Select(fleet.CreateClient).ToList();
        var hint = fleet.Minter.Mint();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => clients[i % clients.Count].AuthorizeAsync(fleet.AuthorizeParameters(hint))));

        Assert.Single(responses, r => r.Code is not null);
        Assert.All(responses.Where(r => r.Code is null), r => Assert.Equal("access_denied", r.Error));
        clients.ForEach(client => client.Dispose());
    }

    [Fact]
    public async Task OneCode_RedeemedConcurrentlyAtTwo_ExactlyOneTokenResponse()
    {
        var fleet = Fleet;
        using var a = fleet.CreateClient(0);
        using var b = fleet.CreateClient(1);
        var code = (await a.AuthorizeAsync(fleet.AuthorizeParameters(fleet.Minter.Mint()))).Code!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => fleet.RedeemAsync(i % 2 == 0 ? a : b, code)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    internal static Task<TokenValidationResult> ValidateAsync(string idToken, string jwks) =>
        new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidIssuer = ServerFleet.Issuer,
            ValidAudience = ServerFleet.ClientId,
        });

    private async Task<List<(string Use, long Count)>> KeyCountsByUseAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Use", count(*) FROM "KeyMaterial" GROUP BY "Use" ORDER BY "Use" """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            counts.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return counts;
    }
}
