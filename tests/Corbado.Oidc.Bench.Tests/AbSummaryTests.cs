namespace Corbado.Oidc.Bench.Tests;

/// <summary>scripts/bench-ab.sh's summary: each pair, the mean and the spread.</summary>
public sealed class AbSummaryTests
{
    private static AbRun Run(double cpu, double ratio, double load = 0.1) =>
        new("shipped", load, [new("Sqlite", "browser", cpu, ratio), new("Sqlite", "verify", cpu / 4, ratio * 5)]);

    [Fact]
    public void Format_PrintsEveryPairThenMeanMinMaxAndStandardDeviation()
    {
        var text = AbSummary.Format("d50f0e9", "working tree", [Run(1.0, 2.0), Run(1.2, 2.4), Run(1.1, 2.2)], [Run(0.9, 1.8), Run(1.0, 2.0), Run(1.1, 2.2)]);

        Assert.Contains("A = d50f0e9, B = working tree; 3 pairs", text, StringComparison.Ordinal);
        Assert.Contains("Sqlite browser:", text, StringComparison.Ordinal);
        Assert.Contains("Sqlite verify:", text, StringComparison.Ordinal);
        var browser = text[text.IndexOf("Sqlite browser:", StringComparison.Ordinal)..text.IndexOf("Sqlite verify:", StringComparison.Ordinal)];
        Assert.Matches(@"\n  1\s+1\.000\s+2\.00×\s+0\.900\s+1\.80×\s+-10\.0%", browser);
        Assert.Matches(@"\n  mean\s+1\.100\s+2\.20×\s+1\.000\s+2\.00×\s+-9\.1%", browser);
        Assert.Matches(@"\n  min\s+1\.000\s+2\.00×\s+0\.900\s+1\.80×", browser);
        Assert.Matches(@"\n  max\s+1\.200\s+2\.40×\s+1\.100\s+2\.20×", browser);
        Assert.Matches(@"\n  stddev\s+0\.100\s+0\.20\s+0\.100\s+0\.20", browser);
    }

    [Fact]
    public void Format_RunsWithDifferentEntryPoints_AreRefused()
    {
        var other = new AbRun("shipped", 0.1, [new("Sqlite", "exchange", 1, 2)]);
        Assert.Throws<InvalidOperationException>(() => AbSummary.Format("a", "b", [Run(1, 2)], [other]));
    }

    [Fact]
    public void Format_UnevenPairs_AreRefused()
        => Assert.Throws<InvalidOperationException>(() => AbSummary.Format("a", "b", [Run(1, 2), Run(1, 2)], [Run(1, 2)]));
}
