namespace Corbado.Oidc.Bench.Tests;

/// <summary>Each entry point is judged against the RSA work it cannot avoid.</summary>
public sealed class EntryPointsTests
{
    private static readonly CryptoFloorResult Floor = new(2048, 3000, SignMicroseconds: 300, VerifyMicroseconds: 20);

    [Theory]
    [InlineData(EntryPoint.Browser, 320.0)] // the hint verified, the ID token signed
    [InlineData(EntryPoint.Exchange, 320.0)] // the same, at /token
    [InlineData(EntryPoint.Refresh, 300.0)] // an ID token signed; the refresh token is a random handle
    [InlineData(EntryPoint.Verify, 20.0)] // the hint verified; nothing signed
    [InlineData(EntryPoint.Hosted, 300.0)] // an ID token signed; the passkey's ES256 assertion is not counted
    [InlineData(EntryPoint.Session, 300.0)] // an ID token signed; no proof but the session
    public void FloorMicroseconds_CountsTheSignaturesOfTheEntryPoint(EntryPoint entry, double expected)
        => Assert.Equal(expected, EntryPoints.FloorMicroseconds(entry, Floor));

    [Fact]
    public void HintsNeeded_RefreshNeedsOnePerWorker_OthersOnePerOperation()
    {
        Assert.Equal(250, EntryPoints.HintsNeeded(EntryPoint.Browser, 250, 8));
        Assert.Equal(250, EntryPoints.HintsNeeded(EntryPoint.Verify, 250, 8));
        Assert.Equal(8, EntryPoints.HintsNeeded(EntryPoint.Refresh, 250, 8));
        Assert.Equal(0, EntryPoints.HintsNeeded(EntryPoint.Hosted, 250, 8));
        Assert.Equal(0, EntryPoints.HintsNeeded(EntryPoint.Session, 250, 8));
    }

    [Fact]
    public void ClientSettings_AllowEachClientOnlyWhatItsEntryPointDoes()
    {
        var client = new BenchClient("c", "s", "https://rp.example/cb");
        Assert.Contains(new KeyValuePair<string, string>("Clients__1__AllowTokenExchange", "true"), EntryPoints.ClientSettings(EntryPoint.Exchange, 1, client));
        Assert.Contains(new KeyValuePair<string, string>("Clients__2__AllowRefreshTokens", "true"), EntryPoints.ClientSettings(EntryPoint.Refresh, 2, client));
        Assert.Contains(new KeyValuePair<string, string>("Clients__3__AllowPasskeyVerification", "true"), EntryPoints.ClientSettings(EntryPoint.Verify, 3, client));
        Assert.DoesNotContain(EntryPoints.ClientSettings(EntryPoint.Verify, 3, client), setting => setting.Key.Contains("RedirectUris", StringComparison.Ordinal));
        foreach (var passkeyEntry in new[] { EntryPoint.Hosted, EntryPoint.Session })
        {
            var settings = EntryPoints.ClientSettings(passkeyEntry, 4, client).ToList();
            Assert.Contains(new KeyValuePair<string, string>("Clients__4__HostedPasskeyLogin", "true"), settings);
            Assert.Contains(new KeyValuePair<string, string>("Clients__4__SingleSignOn", "true"), settings);
            Assert.Contains(new KeyValuePair<string, string>("Clients__4__AllowPasskeyEnrolment", "true"), settings);
            Assert.DoesNotContain(settings, setting => setting.Key.EndsWith("AllowTokenExchange", StringComparison.Ordinal));
        }
    }
}
