using System.Net;
using System.Net.Sockets;

namespace Amber.Cli.Tests.Hardening;

/// <summary>`amber serve` or `amber proxy` running in-process on a real loopback port until disposed, with its output kept.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;
    private readonly Task<int> running;

    private readonly StringWriter output;
    private readonly StringWriter error;

    private RunningServer(Uri url, CancellationTokenSource stop, Task<int> running, StringWriter output, StringWriter error)
    {
        Url = url;
        this.stop = stop;
        this.running = running;
        this.output = output;
        this.error = error;
    }

    public Uri Url { get; }

    /// <summary>What the command printed on stdout so far.</summary>
    public string Printed => output.ToString();

    /// <summary>What the command printed on stderr so far.</summary>
    public string Errors => error.ToString();

    /// <summary>Starts <paramref name="args"/> (a command and its options) on a free port.</summary>
    public static Task<RunningServer> StartAsync(CliRunner cli, params string[] args)
    {
        var port = FreePort();
        return StartAsync(cli, port, [.. args, "--listen", $"127.0.0.1:{port}"]);
    }

    /// <summary>Starts <paramref name="args"/>, which listen on <paramref name="port"/> themselves.</summary>
    public static async Task<RunningServer> StartAsync(CliRunner cli, int port, params string[] args)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var output = new StringWriter();
        var error = new StringWriter();
        var running = AmberCli.RunAsync(["--archive", cli.ArchiveDir, .. args], output, error, cli.Environment, stop.Token);
        var server = new RunningServer(new Uri($"http://127.0.0.1:{port}"), stop, running, output, error);
        using var http = new HttpClient { BaseAddress = server.Url };
        for (var i = 0; i < 200; i++)
        {
            if (running.IsCompleted)
            {
                Assert.Fail($"amber {string.Join(' ', args)} exited with {await running}: {error}");
            }

            try
            {
                using var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"amber {string.Join(' ', args)} did not start listening within 10 s.");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        Assert.Equal(0, await running);
        stop.Dispose();
    }

    /// <summary>A loopback port free at the moment of asking.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
