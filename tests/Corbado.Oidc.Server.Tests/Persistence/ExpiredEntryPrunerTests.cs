using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Corbado.Oidc.Server.Tests.Persistence;

/// <summary>Issue 4: the database stays bounded by what is still unexpired, and pruning never reopens a replay.</summary>
public sealed class ExpiredEntryPrunerTests
{
    private static async Task<(int ReplayEntries, int Codes)> CountAsync(CorbadoOidcServerFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OidcDbContext>();
        return (await context.ReplayEntries.CountAsync(), await context.AuthorizationCodes.CountAsync());
    }

    [Fact]
    public async Task PruneOnce_AsCodesAndThenHintsExpire_RemovesExactlyTheExpiredRows()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var pruner = factory.Services.GetServices<IHostedService>().OfType<ExpiredEntryPruner>().Single();

        var redeemedHint = factory.Minter.Mint();
        var redeemed = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(redeemedHint));
        (await client.RedeemCodeAsync(redeemed.Code!)).Dispose();
        var unredeemed = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        Assert.NotNull(unredeemed.Code);

        await pruner.PruneOnceAsync(CancellationToken.None);
        Assert.Equal((2, 2), await CountAsync(factory));

        // Codes live 60 s; a hint's record lives until its exp (5 minutes) plus the clock skew (60 s).
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await pruner.PruneOnceAsync(CancellationToken.None);
        Assert.Equal((2, 0), await CountAsync(factory));

        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        await pruner.PruneOnceAsync(CancellationToken.None);
        Assert.Equal((0, 0), await CountAsync(factory));

        // The record is gone because the hint can no longer be accepted: presenting it again is still refused.
        var replay = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(redeemedHint));
        Assert.Equal("access_denied", replay.Error);
        Assert.Null(replay.Code);
    }

    [Fact]
    public async Task PruneOnce_OnEveryReplicaAtOnceInSmallBatches_RemovesEveryExpiredRowAndNothingElse()
    {
        var connectionString = await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync();
        void OnPostgreSql(Dictionary<string, string?> settings)
        {
            settings["Database:Provider"] = "PostgreSql";
            settings["ConnectionStrings:Oidc"] = connectionString;
        }

        using var replicaA = new CorbadoOidcServerFactory(OnPostgreSql);
        using var replicaB = new CorbadoOidcServerFactory(OnPostgreSql);
        replicaA.CreateProtocolClient().Dispose();
        replicaB.CreateProtocolClient().Dispose();
        var now = replicaA.Clock.GetUtcNow().ToUnixTimeSeconds();
        await using (var scope = replicaA.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<OidcDbContext>();
            context.ReplayEntries.AddRange(Enumerable.Range(0, 2_500).Select(i => new ReplayEntry { Key = $"expired-{i:D6}", ExpiresAt = now - 10 - (i % 50) }));
            context.ReplayEntries.AddRange(Enumerable.Range(0, 30).Select(i => new ReplayEntry { Key = $"live-{i:D6}", ExpiresAt = now + 600 }));
            await context.SaveChangesAsync();
        }

        var pruners = new[] { replicaA, replicaB }.Select(f => f.Services.GetServices<IHostedService>().OfType<ExpiredEntryPruner>().Single());
        var removed = await Task.WhenAll(pruners.Select(p => p.PruneOnceAsync(CancellationToken.None, batchSize: 100)));

        Assert.Equal(2_500, removed.Sum());
        Assert.Equal((30, 0), await CountAsync(replicaA));
    }
}
