using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>Peak resident memory of this process (Linux <c>/proc/self/status</c> VmHWM), and resetting it between runs.</summary>
public static class ProcessMemory
{
    private const string Status = "/proc/self/status";

    /// <summary>VmHWM of this process, in bytes; 0 where /proc is absent.</summary>
    public static long PeakRss()
    {
        if (!File.Exists(Status))
        {
            return 0;
        }

        var line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Resets VmHWM to the current resident size (writing 5 to clear_refs, Linux ≥ 4.0); false where that is refused.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
