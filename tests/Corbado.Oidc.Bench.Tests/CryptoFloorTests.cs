namespace Corbado.Oidc.Bench.Tests;

/// <summary>The floor the ≤ 2× target is judged against.</summary>
public sealed class CryptoFloorTests
{
    [Theory]
    [InlineData(300.0, 450.0, 300.0)]
    [InlineData(450.0, 300.0, 300.0)]
    [InlineData(300.0, 300.0, 300.0)]
    public void Lower_TakesTheCheaperMeasurement_SoASlowMomentCannotMeetTheTarget(double beforeSign, double afterSign, double expectedSign)
    {
        var before = new CryptoFloorResult(2048, 3000, beforeSign, 25);
        var after = new CryptoFloorResult(2048, 3000, afterSign, 25);

        Assert.Equal(expectedSign + 25, CryptoFloorResult.Lower(before, after).FloorMicroseconds);
    }

    [Fact]
    public void Measure_OneSignAndOneVerify_IsPositiveAndSignDominates()
    {
        var floor = CryptoFloor.Measure(2048, cpu: null, iterations: 20, warmup: 2);

        Assert.True(floor.VerifyMicroseconds > 0);
        Assert.True(floor.SignMicroseconds > floor.VerifyMicroseconds, $"sign {floor.SignMicroseconds} µs, verify {floor.VerifyMicroseconds} µs");
    }
}
