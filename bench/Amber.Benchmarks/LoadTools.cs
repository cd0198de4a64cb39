using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Amber.Benchmarks;

/// <summary>Runs wrk (from Debian) with a Lua script and parses its report.</summary>
public static partial class LoadTools
{
    public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, long Requests, int SocketErrors);

    /// <summary>
    /// wrk over <paramref name="connections"/> connections for <paramref name="seconds"/> seconds. With
    /// <paramref name="pauseMs"/> &gt; 0 each connection waits that long between its requests (the
    /// script's <c>delay()</c>), which holds the rate near connections × 1000 / pause.
    /// </summary>
    public static WrkResult Wrk(string url, string luaFile, int connections, int seconds, int pauseMs, bool sharedSystemPrompt = false)
    {
        var output = Run("wrk", $"-t2 -c{connections} -d{seconds}s --latency -s {luaFile} {url}", new Dictionary<string, string>
        {
            ["AMBER_PAUSE_MS"] = pauseMs.ToString(CultureInfo.InvariantCulture),
            ["AMBER_SYSTEM"] = sharedSystemPrompt ? "1" : "0",
        });
        if (output.Contains("Non-2xx", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk saw non-2xx responses from {url}:\n{output}");
        }

        double Percentile(string p)
        {
            var m = Regex.Match(output, $@"^\s+{p}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
        }

        var errors = Regex.Match(output, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
        return new WrkResult(
            double.Parse(Regex.Match(output, @"Requests/sec:\s+([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile("50"),
            Percentile("90"),
            Percentile("99"),
            long.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture),
            errors.Success ? Enumerable.Range(1, 4).Sum(i => int.Parse(errors.Groups[i].Value, CultureInfo.InvariantCulture)) : 0);
    }

    public static bool Available(string tool)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("which", tool) { RedirectStandardOutput = true });
            p!.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static string Run(string tool, string arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        using var p = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {arguments} failed ({p.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }
}
