using System.Diagnostics.Metrics;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// The counters outside the login core are incremented where the work happens: remote verifications by their result
/// (at the passkey backend client) and pruned rows by table (at the pruner), on the server's own meter.
/// </summary>
public sealed class InstrumentedWhereItHappensTests
{
    [Fact]
    public async Task RemoteVerification_AcceptedThenRejected_CountedByResultWithItsDuration()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Corbado:BackendApiUrl"] = backend.BaseUrl.AbsoluteUri;
            settings["Corbado:ApiSecret"] = "corbado1_test-api-secret";
        });
        using var client = factory.CreateProtocolClient();
        using var measurements = new MetricCapture(factory.Services.GetRequiredService<IMeterFactory>());

        Assert.NotNull((await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()))).Code);
        backend.Mode = FakeBackendMode.UserMismatch;
        Assert.Equal("access_denied", (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()))).Error);

        Assert.Equal(["accepted", "rejected"], measurements.Tag("corbado.oidc.remote.verifications", "result"));
        Assert.Equal(["remote_verification", "remote_verification"], measurements.Tag("corbado.oidc.login.duration", "step")
            .Where(step => step == "remote_verification"));
    }

    [Fact]
    public async Task Prune_ExpiredCodesAndHints_CountedByTable()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        using var measurements = new MetricCapture(factory.Services.GetRequiredService<IMeterFactory>());
        var pruner = factory.Services.GetServices<IHostedService>().OfType<ExpiredEntryPruner>().Single();
        Assert.NotNull((await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()))).Code);

        factory.Clock.Advance(TimeSpan.FromMinutes(7));
        await pruner.PruneOnceAsync(CancellationToken.None);

        // The pruner's own timer follows the fake clock too, so passes may be counted twice: the rows only once.
        var pruned = measurements.Of("corbado.oidc.pruned.rows");
        Assert.Equal(1, pruned.Where(m => m.Tags["table"] == "replay_entries").Sum(m => m.Value));
        Assert.Equal(1, pruned.Where(m => m.Tags["table"] == "authorization_codes").Sum(m => m.Value));
    }
}
