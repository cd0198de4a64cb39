using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>
/// <c>gateway-peers</c> (issue 21): nginx, the Portkey AI gateway (from npm) and Amber's gateway, each in a process of
/// its own, in front of one fake upstream (<see cref="PeerUpstream"/>), streaming and not. For every system, in turn:
/// an open-loop load at a fixed rate (default 200 requests/s, latency from each request's due time to its last byte,
/// so corrected for coordinated omission), then wrk at saturation. CPU per request is the system's process CPU from
/// <c>/proc/PID/stat</c> over the load and until the process is idle again (work done after the answers, such as
/// indexing or draining a spool, included), divided by the requests served. Options: <c>--seconds N</c> (per load,
/// default 10), <c>--rate N</c>, <c>--amber DLL</c> (default: the repository's CLI, built by <c>./amber</c>),
/// <c>--before DLL</c> (another build's CLI, e.g. main's, run as more rows), <c>--portkey DIR</c> (npm install folder,
/// default under the work folder), <c>--no-portkey</c>.
/// </summary>
public static class GatewayPeersCommand
{
    private const string PortkeyVersion = "1.15.2";

    public static int Run(BenchOptions options)
    {
        foreach (var tool in new[] { "wrk", "nginx" })
        {
            if (!LoadTools.Available(tool))
            {
                Console.Error.WriteLine($"{tool} is missing: apt-get install -y wrk nginx-light");
                return 2;
            }
        }

        if (!File.Exists("/proc/self/stat"))
        {
            Console.Error.WriteLine("gateway-peers reads CPU from /proc: Linux only");
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(BenchOptions options)
    {
        var rate = options.IntOption("--rate", 200);
        var seconds = options.IntOption("--seconds", 10);
        var work = options.WorkDirectory;
        var amber = options.Option("--amber") ?? BuildAmber(options.Repository);
        await using var upstream = await PeerUpstream.StartAsync();
        var up = new Uri(upstream.Urls.First());
        var systems = new List<PeerSystem>();
        try
        {
            var noHeaders = new Dictionary<string, string>();
            systems.Add(new PeerSystem("direct (no gateway)", $"http://127.0.0.1:{up.Port}/v1/chat/completions", 0, noHeaders, null));
            var nginxPort = PeerSystem.FreePort();
            var nginx = GatewayCommand.StartNginx(work, up.Port, nginxPort);
            systems.Add(new PeerSystem("nginx 1 worker (proxy_buffering off)", $"http://127.0.0.1:{nginxPort}/v1/chat/completions", nginx.Id, noHeaders, nginx));
            if (options.Option("--no-portkey") is null && StartPortkey(options, work, up.Port) is { } portkey)
            {
                systems.Add(portkey);
            }

            foreach (var (label, dll) in new[] { ("", amber), (" (before)", options.Option("--before")) })
            {
                if (dll is null)
                {
                    continue;
                }

                var tag = label.Length == 0 ? "" : "-before";
                var durable = StartAmber(dll, work, up.Port, "durable", "amber" + tag, $"Amber{label}, durable capture");
                systems.Add(durable.Alias($"Amber{label}, forwarding only", durable.Url.Replace("/v1/chat/", "/v1/uncaptured/chat/", StringComparison.Ordinal)));
                systems.Add(durable);
                systems.Add(StartAmber(dll, work, up.Port, "async", "amber-async" + tag, $"Amber{label}, --ack async"));
            }

            Console.WriteLine("# gateway-peers: gateways side by side on one fake upstream\n");
            Console.WriteLine(MachineInfo.Describe(options.Repository));
            var (streamedBytes, wholeBytes) = PeerUpstream.AnswerBytes;
            Console.WriteLine($"- requests: {PeerUpstream.Request(false, "x").Length:N0} bytes, four messages, the last user text unique per request; answers: {wholeBytes:N0} bytes (non-streaming) or {PeerUpstream.StreamEvents} SSE events, {streamedBytes:N0} bytes (streaming), from a fake upstream in the bench process");
            Console.WriteLine($"- latency: open loop at {rate} requests/s for {seconds} s (time from each request's due time to its last byte: corrected for coordinated omission); added = the system's percentile − the direct one, same load");
            Console.WriteLine($"- saturation: wrk -t2 -c32 -d{seconds}s; CPU per request: the system's process CPU (/proc/PID/stat, user + system) from the start of a load until the process is idle again, over the requests served");
            Console.WriteLine("- amber: " + amber + (options.Option("--before") is { } b ? "; before: " + b : ""));
            Console.WriteLine();
            foreach (var stream in new[] { false, true })
            {
                await Task.Yield();
                Measure(systems, stream, rate, seconds, work);
            }
        }
        finally
        {
            foreach (var s in systems)
            {
                s.Dispose();
            }
        }

        return 0;
    }

    private static void Measure(List<PeerSystem> systems, bool stream, int rate, int seconds, string work)
    {
        var lua = Path.Combine(work, stream ? "peers-stream.lua" : "peers-whole.lua");
        var rows = new List<(PeerSystem System, OpenLoop.Result Open, double OpenCpuUs, LoadTools.WrkResult? Saturated, double SaturatedCpuUs, string? Error)>();
        using var load = new OpenLoop();
        var round = 0;
        foreach (var s in systems)
        {
            round++;
            File.WriteAllText(lua, Lua(stream, s.Headers));
            try
            {
                // Warm-up: JIT, connection pools, the first archive files.
                load.Run(s.Url, s.Headers, i => PeerUpstream.Request(stream, $"warm-up {round} {i}"), rate, 2);
                var cpu0 = s.CpuSecondsWhenIdle(TimeSpan.FromSeconds(60));
                var open = load.Run(s.Url, s.Headers, i => PeerUpstream.Request(stream, $"open {round} {i}"), rate, seconds);
                var cpu1 = s.CpuSecondsWhenIdle(TimeSpan.FromSeconds(120));
                var saturated = LoadTools.Wrk(s.Url, lua, 32, seconds, 0);
                var cpu2 = s.CpuSecondsWhenIdle(TimeSpan.FromSeconds(300));
                var served = open.Requests - open.Failures;
                rows.Add((s, open, (cpu1 - cpu0) * 1e6 / Math.Max(1, served), saturated, (cpu2 - cpu1) * 1e6 / Math.Max(1, saturated.Requests), null));
            }
            catch (InvalidOperationException e)
            {
                rows.Add((s, new OpenLoop.Result(LatencyStats.Of([0.0]), 0, 0, 0), double.NaN, null, double.NaN, e.Message.Split('\n')[0]));
            }
        }

        var direct = rows[0].Open.Latency;
        var table = new MarkdownTable(
            "system", "max req/s (wrk -c32)", "CPU µs/request at saturation", $"CPU µs/request at {rate}/s", $"p50 / p99 ms at {rate}/s", "added p50 / p99 ms", "failed");
        foreach (var r in rows)
        {
            if (r.Error is not null)
            {
                table.Add(r.System.Name, "—", "—", "—", "—", "—", r.Error);
                continue;
            }

            var l = r.Open.Latency;
            table.Add(
                r.System.Name,
                F(r.Saturated!.RequestsPerSecond, 0),
                r.System.ProcessId == 0 ? "—" : F(r.SaturatedCpuUs, 0),
                r.System.ProcessId == 0 ? "—" : F(r.OpenCpuUs, 0),
                $"{F(l.P50, 2)} / {F(l.P99, 2)}",
                r.System.ProcessId == 0 ? "—" : $"{F(l.P50 - direct.P50, 2)} / {F(l.P99 - direct.P99, 2)}",
                (r.Open.Failures + r.Saturated.SocketErrors).ToString(CultureInfo.InvariantCulture));
        }

        Console.WriteLine(stream ? $"## Streaming ({PeerUpstream.StreamEvents} events, latency to the last byte)\n" : "## Non-streaming\n");
        Console.WriteLine(table);
        Console.WriteLine($"\n- load average after: {MachineInfo.LoadAverage()}\n");
    }

    /// <summary>wrk script: POSTs the same request shape as the open loop, unique per thread and call.</summary>
    private static string Lua(bool stream, IReadOnlyDictionary<string, string> headers)
    {
        var parts = PeerUpstream.Request(stream, "\u0001").Split('\u0001');
        var extra = string.Concat(headers.Select(h => $"[\"{h.Key}\"] = [==[{h.Value}]==], "));
        return $$"""
            local threads = 0
            function setup(thread)
              threads = threads + 1
              thread:set("tid", threads)
            end
            local counter = 0
            function request()
              counter = counter + 1
              local body = [==[{{parts[0]}}]==] .. "wrk " .. tostring(tid) .. " " .. counter .. " " .. tostring(math.random(1, 1000000000)) .. [==[{{parts[1]}}]==]
              return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer sk-bench", {{extra}} }, body)
            end
            """;
    }

    /// <summary>The repository's CLI, built (when its sources changed) by the <c>amber</c> script.</summary>
    private static string BuildAmber(string? repository)
    {
        var root = repository ?? throw new InvalidOperationException("no repository found: pass --amber PATH/amber.dll");
        LoadTools.Run(Path.Combine(root, "amber"), "--version");
        return Path.Combine(root, "artifacts", "cli", "amber.dll");
    }

    private static PeerSystem StartAmber(string dll, string work, int upstreamPort, string ack, string folder, string name)
    {
        var archive = Path.Combine(work, folder);
        var port = PeerSystem.FreePort();
        var process = PeerSystem.Start(
            "dotnet",
            [dll, "proxy", "--archive", archive, "--listen", $"127.0.0.1:{port}", "--openai-upstream", $"http://127.0.0.1:{upstreamPort}", "--ack", ack],
            port,
            Path.Combine(work, folder + ".log"));
        return new PeerSystem(name, $"http://127.0.0.1:{port}/v1/chat/completions", process.Id, new Dictionary<string, string>(), process);
    }

    /// <summary>
    /// Installs <c>@portkey-ai/gateway</c> with the dependency versions of its own lock file (npm <c>overrides</c>; a plain
    /// install fails every streamed call) and starts it; null, with a line saying why, when npm or the start fails.
    /// </summary>
    private static PeerSystem? StartPortkey(BenchOptions options, string work, int upstreamPort)
    {
        var dir = options.Option("--portkey") ?? Path.Combine(work, "portkey");
        var start = Path.Combine(dir, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        try
        {
            if (!File.Exists(start))
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "package.json"), $$"""
                    { "name": "amber-bench-portkey", "private": true,
                      "dependencies": { "@portkey-ai/gateway": "{{PortkeyVersion}}" },
                      "overrides": { "@hono/node-server": "1.13.5", "hono": "4.9.7", "@hono/node-ws": "1.2.0" } }
                    """);
                LoadTools.Run("npm", $"install --no-audit --no-fund --prefix {dir}");
            }

            var port = PeerSystem.FreePort();
            var process = PeerSystem.Start("node", [start, $"--port={port}", "--headless"], port, Path.Combine(work, "portkey.log"), workingDirectory: dir);
            return new PeerSystem(
                $"Portkey AI gateway {PortkeyVersion} (Node; pass-through, keeps no record)",
                $"http://127.0.0.1:{port}/v1/chat/completions",
                process.Id,
                new Dictionary<string, string> { ["x-portkey-provider"] = "openai", ["x-portkey-custom-host"] = $"http://127.0.0.1:{upstreamPort}/v1" },
                process);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            Console.WriteLine($"- Portkey skipped: {e.Message.Split('\n')[0]}");
            return null;
        }
    }

    private static string F(double value, int decimals) => double.IsNaN(value) ? "—" : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
