using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Amber.Torture;

/// <summary>A real `amber proxy` or `amber serve` process (the CLI build beside this tool) on a free loopback port, killed with SIGKILL.</summary>
public sealed class AmberServer : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder error = new();

    private AmberServer(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>What the server printed on stderr so far.</summary>
    public string Errors
    {
        get
        {
            lock (error)
            {
                return error.ToString();
            }
        }
    }

    /// <summary>Starts `amber --archive ARCHIVE COMMAND ARGS --listen 127.0.0.1:PORT` and waits until /healthz answers.</summary>
    public static async Task<AmberServer> StartAsync(string archive, string command, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["exec", AmberChild.Dll, "--archive", archive, command, .. args, "--listen", $"127.0.0.1:{port}"])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["AMBER_KEYS_DIR"] = CampaignKeys.Folder;
        var process = new Process { StartInfo = psi };
        var server = new AmberServer(process, new Uri($"http://127.0.0.1:{port}"));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (server.error)
                {
                    server.error.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                var message = $"amber {command} exited {process.ExitCode} before listening: {server.Errors.Trim()}";
                server.Dispose();
                throw new InvalidOperationException(message);
            }

            try
            {
                using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative)).ConfigureAwait(false);
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        server.Kill();
        server.Dispose();
        throw new TimeoutException($"amber {command} did not answer /healthz within {timeout}.");
    }

    /// <summary>SIGKILL (Process.Kill on Unix), then waits for the process to be gone; true if it was still running.</summary>
    public bool Kill()
    {
        if (process.HasExited)
        {
            return false;
        }

        process.Kill(entireProcessTree: false);
        process.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
