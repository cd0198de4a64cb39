namespace Amber.Benchmarks;

/// <summary>Summary of a list of latencies, in milliseconds.</summary>
public sealed record LatencyStats(int Count, double Mean, double P50, double P90, double P99, double Max, int OverOneMs)
{
    public static LatencyStats Of(IReadOnlyCollection<double> ms)
    {
        var sorted = ms.Order().ToArray();
        double P(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new LatencyStats(sorted.Length, sorted.Average(), P(0.50), P(0.90), P(0.99), sorted[^1], sorted.Count(x => x >= 1.0));
    }
}
