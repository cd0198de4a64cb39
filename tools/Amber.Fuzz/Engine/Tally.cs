using System.Globalization;

namespace Amber.Fuzz.Engine;

/// <summary>What one campaign saw: inputs run, how the parser answered, and every crash, hang and memory overrun.</summary>
public sealed class Tally(string target)
{
    public string Target { get; } = target;

    public long Inputs { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; set; }

    /// <summary>Inputs that escaped the parser as an exception other than its documented error type.</summary>
    public long Crashes { get; set; }

    /// <summary>Inputs that ran longer than the hang limit.</summary>
    public long Hangs { get; set; }

    /// <summary>Times the process's memory went past the limit.</summary>
    public long MemoryOverruns { get; set; }

    /// <summary>Distinct crash signatures (exception type and the frame that threw), with one message each.</summary>
    public SortedDictionary<string, string> CrashKinds { get; } = new(StringComparer.Ordinal);

    /// <summary>Bytes of all inputs run, for the mean input size.</summary>
    public long InputBytes { get; set; }

    public long PeakRssBytes { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>The slowest input, for the record.</summary>
    public TimeSpan Slowest { get; set; }

    public bool Clean => Crashes == 0 && Hangs == 0 && MemoryOverruns == 0;

    public override string ToString()
    {
        var rate = Elapsed.TotalSeconds > 0 ? Inputs / Elapsed.TotalSeconds : 0;
        var mean = Inputs > 0 ? InputBytes / (double)Inputs : 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Target}: {Inputs:N0} inputs ({Accepted:N0} accepted, {Rejected:N0} rejected), {Crashes:N0} crashes, {Hangs:N0} hangs, {MemoryOverruns:N0} memory overruns, peak RSS {PeakRssBytes / (1024.0 * 1024):F0} MiB, slowest {Slowest.TotalMilliseconds:F0} ms, mean input {mean:N0} B, {Elapsed.TotalSeconds:F0} s ({rate:N0}/s)");
    }
}
