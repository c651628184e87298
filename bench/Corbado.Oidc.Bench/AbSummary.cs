using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Corbado.Oidc.Bench;

/// <summary>One entry point's figures in one run's JSON report.</summary>
public sealed record AbFigure(string Database, string Entry, double CpuMsPerOperation, double FloorRatio);

/// <summary>One run's report as the A/B summary reads it.</summary>
public sealed record AbRun(string Configuration, double LoadAverageBefore, IReadOnlyList<AbFigure> Figures)
{
    /// <summary>Reads the JSON a run writes with <c>--json</c>.</summary>
    public static AbRun Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var figures = root.GetProperty("entryPoints").EnumerateArray()
            .Select(e => new AbFigure(e.GetProperty("database").GetString()!, e.GetProperty("entry").GetString()!,
                e.GetProperty("serverCpuMsPerOperation").GetDouble(), e.GetProperty("floorRatio").GetDouble()))
            .ToList();
        return new AbRun(root.GetProperty("configuration").GetString()!, root.GetProperty("loadAverageBefore").GetDouble(), figures);
    }
}

/// <summary>
/// The output of <c>scripts/bench-ab.sh</c>: for every database and entry point, each pair (A = the base build, B = the
/// build under test, run one right after the other), then the mean, the min–max and the standard deviation of server
/// CPU per operation and of its ratio to the crypto floor, and the change of the mean from A to B.
/// </summary>
public static class AbSummary
{
    public static string Format(string baseLabel, string headLabel, IReadOnlyList<AbRun> a, IReadOnlyList<AbRun> b)
    {
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new InvalidOperationException($"An A/B summary needs as many B runs as A runs, at least one (got {a.Count} and {b.Count}).");
        }

        var s = new StringBuilder();
        s.AppendLine(I($"A/B: A = {baseLabel}, B = {headLabel}; {a.Count} pairs run A B A B …, {a[0].Configuration} configuration"));
        s.AppendLine("load average at the start of each run: " + string.Join(" ", a.Zip(b, (x, y) => I($"{x.LoadAverageBefore:N2}/{y.LoadAverageBefore:N2}"))));
        foreach (var key in a[0].Figures.Select(f => (f.Database, f.Entry)))
        {
            var figuresA = a.Select(run => Find(run, key)).ToList();
            var figuresB = b.Select(run => Find(run, key)).ToList();
            s.AppendLine();
            s.AppendLine(I($"{key.Database} {key.Entry}: server CPU per operation (ms) and its ratio to the crypto floor"));
            s.AppendLine("  pair        A ms    A ×floor      B ms    B ×floor     B vs A");
            for (var i = 0; i < figuresA.Count; i++)
            {
                var (x, y) = (figuresA[i], figuresB[i]);
                s.AppendLine(I($"  {i + 1,-6} {x.CpuMsPerOperation,9:N3} {x.FloorRatio,10:N2}× {y.CpuMsPerOperation,9:N3} {y.FloorRatio,10:N2}× {Change(x.CpuMsPerOperation, y.CpuMsPerOperation),10}"));
            }

            var (cpuA, ratioA) = (Stats.Of(figuresA.Select(f => f.CpuMsPerOperation)), Stats.Of(figuresA.Select(f => f.FloorRatio)));
            var (cpuB, ratioB) = (Stats.Of(figuresB.Select(f => f.CpuMsPerOperation)), Stats.Of(figuresB.Select(f => f.FloorRatio)));
            s.AppendLine(I($"  mean   {cpuA.Mean,9:N3} {ratioA.Mean,10:N2}× {cpuB.Mean,9:N3} {ratioB.Mean,10:N2}× {Change(cpuA.Mean, cpuB.Mean),10}"));
            s.AppendLine(I($"  min    {cpuA.Min,9:N3} {ratioA.Min,10:N2}× {cpuB.Min,9:N3} {ratioB.Min,10:N2}×"));
            s.AppendLine(I($"  max    {cpuA.Max,9:N3} {ratioA.Max,10:N2}× {cpuB.Max,9:N3} {ratioB.Max,10:N2}×"));
            s.AppendLine(I($"  stddev {cpuA.StandardDeviation,9:N3} {ratioA.StandardDeviation,10:N2}  {cpuB.StandardDeviation,9:N3} {ratioB.StandardDeviation,10:N2}"));
        }

        return s.ToString();
    }

    private static AbFigure Find(AbRun run, (string Database, string Entry) key)
        => run.Figures.FirstOrDefault(f => f.Database == key.Database && f.Entry == key.Entry)
            ?? throw new InvalidOperationException($"A run has no figures for {key.Database} {key.Entry}: were all runs made with the same options?");

    private static string Change(double a, double b) => a > 0 ? I($"{(b - a) / a * 100:+0.0;-0.0;0.0}%") : "–";

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Mean, extremes and sample standard deviation of a few runs.</summary>
public sealed record Stats(double Mean, double Min, double Max, double StandardDeviation)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        var variance = list.Count > 1 ? list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1) : 0;
        return new Stats(mean, list.Min(), list.Max(), Math.Sqrt(variance));
    }
}
