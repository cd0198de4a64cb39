using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>
/// CPU seconds (user + system) each thread of a process has used, by thread name, from
/// <c>/proc/PID/task/*/stat</c> (Linux; empty elsewhere). Threads sharing a name are summed.
/// </summary>
public static class ThreadTimes
{
    /// <summary>Clock ticks per second of /proc's times (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Thread name → CPU seconds of this process; the thread whose id is the process's is named "main".</summary>
    public static Dictionary<string, double> Snapshot() => Snapshot(Environment.ProcessId);

    /// <summary>Thread name → CPU seconds of process <paramref name="processId"/> (empty once it has exited).</summary>
    public static Dictionary<string, double> Snapshot(int processId)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var pid = processId.ToString(CultureInfo.InvariantCulture);
        var tasks = $"/proc/{pid}/task";
        string[] threads;
        try
        {
            threads = Directory.GetDirectories(tasks);
        }
        catch (IOException)
        {
            return result; // not Linux, or the process has exited
        }

        foreach (var dir in threads)
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
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

    /// <summary>All CPU seconds of process <paramref name="processId"/> so far (user + system, every thread, ended ones included), from <c>/proc/PID/stat</c>.</summary>
    public static double ProcessSeconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>CPU seconds used between two snapshots, by thread name (threads that ended in between are lost).</summary>
    public static Dictionary<string, double> Since(Dictionary<string, double> before, Dictionary<string, double> after)
        => after.ToDictionary(kv => kv.Key, kv => kv.Value - before.GetValueOrDefault(kv.Key), StringComparer.Ordinal);
}
