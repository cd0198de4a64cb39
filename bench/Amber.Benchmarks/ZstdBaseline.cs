using System.Diagnostics;
using ZstdSharp;

namespace Amber.Benchmarks;

/// <summary>The zstd baselines: the real CLI (single thread) and ZstdSharp in-process, on the same bytes as the archive.</summary>
public static class ZstdBaseline
{
    public const string CliPath = "/usr/bin/zstd";

    public static bool CliAvailable => File.Exists(CliPath);

    public static string CliVersion()
    {
        if (!CliAvailable)
        {
            return "not installed";
        }

        var (_, output) = Shell($"{CliPath} --version");
        return output.Trim();
    }

    /// <summary>Best-of-<paramref name="repeats"/> wall time of <c>zstd ARGS -c FILE &gt; /dev/null</c> (process start included).</summary>
    public static TimeSpan CliCompressTime(string file, string args, int repeats)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var (elapsed, _) = Shell($"{CliPath} {args} -c '{file}' > /dev/null");
            best = elapsed < best ? elapsed : best;
        }

        return best;
    }

    /// <summary>Compressed size of <c>zstd ARGS -c FILE</c>, and how long it took.</summary>
    public static (long Bytes, TimeSpan Elapsed) CliCompressedSize(string file, string args)
    {
        var output = file + ".zst";
        var (elapsed, _) = Shell($"{CliPath} {args} -c '{file}' > '{output}'");
        var size = new FileInfo(output).Length;
        File.Delete(output);
        return (size, elapsed);
    }

    /// <summary>Best-of-<paramref name="repeats"/> time of one ZstdSharp frame over all of <paramref name="data"/>, after one warm-up pass.</summary>
    public static (TimeSpan Best, long Bytes) InProcess(ReadOnlySpan<byte> data, int level, int repeats)
    {
        using var c = new Compressor(level);
        var bound = Compressor.GetCompressBound(data.Length);
        var output = new byte[bound];
        var size = c.Wrap(data, output); // warm-up (JIT)
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var t = Stopwatch.GetTimestamp();
            size = c.Wrap(data, output);
            var elapsed = Stopwatch.GetElapsedTime(t);
            best = elapsed < best ? elapsed : best;
        }

        return (best, size);
    }

    private static (TimeSpan Elapsed, string Output) Shell(string command)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        var t = Stopwatch.GetTimestamp();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start: {command}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var elapsed = Stopwatch.GetElapsedTime(t);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` exited with {p.ExitCode}: {stderr.Result}");
        }

        return (elapsed, stdout.Result + stderr.Result);
    }
}
