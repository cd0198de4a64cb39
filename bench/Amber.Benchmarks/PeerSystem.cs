using System.Diagnostics;
using System.Net.Sockets;

namespace Amber.Benchmarks;

/// <summary>
/// One gateway of <c>gateway-peers</c>, running in a process of its own so its CPU can be read from
/// <c>/proc/PID/stat</c>: where to send a chat call, the headers it needs, and the process to read and stop.
/// </summary>
public sealed class PeerSystem(string name, string url, int processId, IReadOnlyDictionary<string, string> headers, Process? owned) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>The chat completions URL of this system.</summary>
    public string Url { get; } = url;

    /// <summary>The process whose CPU is this system's (0: none, the direct row).</summary>
    public int ProcessId { get; } = processId;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    /// <summary>A row on the same process under another path (Amber's forwarding-only route).</summary>
    public PeerSystem Alias(string aliasName, string aliasUrl) => new(aliasName, aliasUrl, ProcessId, Headers, owned: null);

    /// <summary>Starts <paramref name="file"/> and waits until it accepts connections on <paramref name="port"/>.</summary>
    public static Process Start(string file, IEnumerable<string> arguments, int port, string log, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 600; i++)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var client = new TcpClient("127.0.0.1", port);
                return process;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        var exited = process.HasExited;
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        lock (output)
        {
            File.WriteAllText(log, output.ToString());
        }

        throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} {(exited ? "exited" : "did not listen on " + port)}; its output is in {log}");
    }

    /// <summary>A free loopback port.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>CPU seconds the process and its children (nginx's worker) have used so far (0 for the direct row).</summary>
    public double CpuSeconds() => ProcessId == 0 ? 0 : TreeSeconds(ProcessId);

    private static double TreeSeconds(int pid)
    {
        var total = ThreadTimes.ProcessSeconds(pid);
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            var children = Path.Combine(task, "children");
            if (!File.Exists(children))
            {
                continue;
            }

            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                total += TreeSeconds(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return total;
    }

    /// <summary>
    /// Waits until the process has used less than one clock tick in each of two 250 ms windows (the index and
    /// any spool behind the answers caught up), at most <paramref name="limit"/>; returns its CPU seconds then.
    /// </summary>
    public double CpuSecondsWhenIdle(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var last = CpuSeconds();
        var quiet = 0;
        while (quiet < 2 && clock.Elapsed < limit)
        {
            Thread.Sleep(250);
            var now = CpuSeconds();
            quiet = now - last < 0.0101 ? quiet + 1 : 0;
            last = now;
        }

        return last;
    }

    public void Dispose()
    {
        if (owned is { HasExited: false })
        {
            owned.Kill(entireProcessTree: true);
            owned.WaitForExit();
        }

        owned?.Dispose();
    }
}
