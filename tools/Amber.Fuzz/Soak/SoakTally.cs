using System.Globalization;

namespace Amber.Fuzz.Soak;

/// <summary>What a gateway soak saw: calls, calls whose client view differed from the upstream's, exchanges not kept, memory and threads.</summary>
public sealed class SoakTally
{
    public long Calls { get; set; }

    public long Mismatches { get; set; }

    /// <summary>The first few differences, for the report.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Calls whose exchange never reached the archive's log.</summary>
    public long Lost { get; set; }

    public long BaselineRssBytes { get; set; }

    public long FinalRssBytes { get; set; }

    public long PeakRssBytes { get; set; }

    public int BaselineThreads { get; set; }

    public int FinalThreads { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>Why memory or threads count as leaking, or null.</summary>
    public string? Leak { get; set; }

    public bool Clean => Mismatches == 0 && Lost == 0 && Leak is null;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"soak: {Calls:N0} calls in {Elapsed.TotalSeconds:F0} s ({Calls / Math.Max(1, Elapsed.TotalSeconds):F1}/s), {Mismatches:N0} mismatches, {Lost:N0} lost, RSS {BaselineRssBytes >> 20} MiB after warm-up -> {FinalRssBytes >> 20} MiB at the end (peak {PeakRssBytes >> 20} MiB), threads {BaselineThreads} -> {FinalThreads}{(Leak is null ? "" : ", LEAK: " + Leak)}");
}
