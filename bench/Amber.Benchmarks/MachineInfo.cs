using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Amber.Benchmarks;

/// <summary>The machine and build a benchmark ran on, printed before its tables.</summary>
public static class MachineInfo
{
    public static string Describe(string? repository)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var lines = new List<string>
        {
            $"- date (UTC): {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm}",
            $"- cpu: {cpu}; logical processors (nproc): {Environment.ProcessorCount}",
            $"- runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}), OS {RuntimeInformation.OSDescription}",
            $"- zstd CLI: {ZstdBaseline.CliVersion()}",
            $"- load average at start (1/5/15 min): {LoadAverage()}",
        };
        if (repository is not null)
        {
            var head = Git(repository, "rev-parse --short HEAD");
            var dirty = Git(repository, "status --porcelain -- src");
            var changed = dirty.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            lines.Add($"- repository: {head}{(changed > 0 ? $" with {changed} uncommitted change(s) under src/" : ", src/ clean")}");
        }

        return string.Join('\n', lines);
    }

    /// <summary>The 1, 5 and 15 minute load averages (the machine is shared and noisy), or "unknown".</summary>
    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Git(string repository, string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-C");
            psi.ArgumentList.Add(repository);
            foreach (var a in args.Split(' '))
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi);
            if (p is null)
            {
                return "?";
            }

            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output.Trim() : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
