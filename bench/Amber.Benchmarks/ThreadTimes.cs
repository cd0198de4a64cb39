using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>
/// CPU seconds (user + system) each thread of this process has used, by thread name, from
/// <c>/proc/self/task/*/stat</c> (Linux; empty elsewhere). Threads sharing a name are summed.
/// </summary>
public static class ThreadTimes
{
    /// <summary>Clock ticks per second of /proc's times (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Thread name → CPU seconds; the thread whose id is the process's is named "main".</summary>
    public static Dictionary<string, double> Snapshot()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return result;
        }

        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.GetDirectories(tasks))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            // pid (comm) state ppid … : comm may hold spaces, so split after the last ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var name = Path.GetFileName(dir) == pid ? "main" : stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
            result[name] = result.GetValueOrDefault(name) + (ticks / TicksPerSecond);
        }

        return result;
    }

    /// <summary>CPU seconds used between two snapshots, by thread name (threads that ended in between are lost).</summary>
    public static Dictionary<string, double> Since(Dictionary<string, double> before, Dictionary<string, double> after)
        => after.ToDictionary(kv => kv.Key, kv => kv.Value - before.GetValueOrDefault(kv.Key), StringComparer.Ordinal);
}
