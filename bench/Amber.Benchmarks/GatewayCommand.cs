using System.Diagnostics;
using System.Globalization;
using Amber.Proxy;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// <c>gateway</c>: streaming chat calls against a fake upstream, sent directly, through nginx
/// (<c>proxy_buffering off</c>) and through Amber's gateway with durable capture, in the same run.
/// wrk with a pause between requests holds about a fixed rate (default 500 requests/s) for the latency
/// percentiles; wrk without pauses keeps 32 connections busy for the throughput. Added latency is each path's percentile minus the direct one.
/// Options: <c>--rate N</c>, <c>--seconds N</c>.
/// </summary>
public static class GatewayCommand
{
    private const string Body = """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say something about preservation."}]}""";

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

        var rate = options.IntOption("--rate", 500);
        var seconds = options.IntOption("--seconds", 10);
        return RunAsync(options, rate, seconds).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(BenchOptions options, int rate, int seconds)
    {
        var work = options.WorkDirectory;
        var lua = Path.Combine(work, "post.lua");
        await File.WriteAllTextAsync(lua, Lua);

        await using var upstream = await StreamingUpstream.StartAsync();
        var upstreamUrl = new Uri(upstream.Urls.First());
        await using var archive = Archive.Open(new ArchiveOptions { Directory = Path.Combine(work, "archive"), CreateIfMissing = true });
        await using var gateway = GatewayHost.Build(archive, "127.0.0.1:0", new GatewayOptions { OpenAiUpstream = upstreamUrl });
        await gateway.StartAsync();
        // The same capture into an encrypted archive (a data key per conversation, codec-5 blocks, keyed index words;
        // docs/format/encryption.md): its added latency over the row above is what encryption costs a captured call.
        await using var sealedArchive = Archive.Init(new ArchiveOptions
        {
            Directory = Path.Combine(work, "archive-encrypted"),
            Encryption = true,
            KeyProvider = _ => new Amber.Storage.Keys.FileKeyProvider(Path.Combine(work, "keys"), System.Security.Cryptography.RandomNumberGenerator.Create()),
        });
        await using var sealedGateway = GatewayHost.Build(sealedArchive, "127.0.0.1:0", new GatewayOptions { OpenAiUpstream = upstreamUrl });
        await sealedGateway.StartAsync();
        await using var asyncArchive = Archive.Open(new ArchiveOptions { Directory = Path.Combine(work, "archive-async"), CreateIfMissing = true });
        await using var asyncGateway = GatewayHost.Build(asyncArchive, "127.0.0.1:0", new GatewayOptions { OpenAiUpstream = upstreamUrl, Ack = AckMode.Async });
        await asyncGateway.StartAsync();
        using var nginx = StartNginx(work, upstreamUrl.Port, out var nginxPort);
        try
        {
            var amber = gateway.Urls.First();
            var targets = new (string Name, string Url, bool System)[]
            {
                ("direct", $"{upstreamUrl.ToString().TrimEnd('/')}/v1/chat/completions", false),
                ("nginx (proxy_buffering off)", $"http://127.0.0.1:{nginxPort}/v1/chat/completions", false),
                ("Amber, pass-through only (uncaptured path)", $"{amber}/v1/uncaptured/chat/completions", false),
                ("Amber, durable capture, a new conversation per call", $"{amber}/v1/chat/completions", false),
                ("Amber, durable capture, one shared system prompt", $"{amber}/v1/chat/completions", true),
                ("Amber, --ack async (spool), a new conversation per call", $"{asyncGateway.Urls.First()}/v1/chat/completions", false),
                ("Amber, durable capture, encrypted archive, a new conversation per call", $"{sealedGateway.Urls.First()}/v1/chat/completions", false),
            };

            const int connections = 25;
            var pause = Math.Max(1, connections * 1000 / rate);
            Console.WriteLine(MachineInfo.Describe(options.Repository));
            Console.WriteLine($"- latency: wrk -t2 -c{connections} -d{seconds}s, each connection pausing {pause} ms between requests (≈{rate} requests/s); throughput: wrk -t2 -c32 -d{seconds}s without pauses. Every request is a streaming chat call (8 SSE events) with its own user text; without a system prompt each is a new conversation, with one shared system prompt they all branch from one root (one conversation)");
            Console.WriteLine();
            foreach (var t in targets.Where(t => !t.System))
            {
                LoadTools.Wrk(t.Url, lua, 8, 2, 0); // warm-up: JIT, connection pools
            }

            // Latency first for every path, then throughput, so the shared-prompt conversation grows last.
            var latency = targets.Select(t => LoadTools.Wrk(t.Url, lua, connections, seconds, pause, t.System)).ToList();
            var throughput = targets.Select(t => LoadTools.Wrk(t.Url, lua, 32, seconds, 0, t.System)).ToList();
            var table = new MarkdownTable("path", "rate req/s", "p50 ms", "p90 ms", "p99 ms", "added p50 ms", "added p99 ms", "throughput req/s", "× nginx", "socket errors");
            for (var i = 0; i < targets.Length; i++)
            {
                var l = latency[i];
                table.Add(
                    targets[i].Name,
                    F(l.RequestsPerSecond, 0),
                    F(l.P50Ms, 2),
                    F(l.P90Ms, 2),
                    F(l.P99Ms, 2),
                    i == 0 ? "—" : F(l.P50Ms - latency[0].P50Ms, 2),
                    i == 0 ? "—" : F(l.P99Ms - latency[0].P99Ms, 2),
                    F(throughput[i].RequestsPerSecond, 0),
                    F(throughput[i].RequestsPerSecond / throughput[1].RequestsPerSecond, 2),
                    (l.SocketErrors + throughput[i].SocketErrors).ToString(CultureInfo.InvariantCulture));
            }

            Console.WriteLine(table);
            Console.WriteLine();
            var stats = archive.GetStats();
            var instances = archive.ListInstances(1_000_000).Count;
            var spool = (Amber.Proxy.Spooling.ExchangeSpool)asyncGateway.Services.GetService(typeof(IExchangeSink))!;
            var backlog = spool.Pending().Count;
            var drain = Stopwatch.StartNew();
            await spool.FlushAsync();
            Console.WriteLine($"Async: {backlog} spooled exchanges were still waiting for the archive when the load stopped; draining them took {drain.Elapsed.TotalSeconds:F1} s; the async archive then held {asyncArchive.GetStats().Conversations} conversations.");
            // The pair again in the other order (ABBA): a drift over the run (the archives growing, the machine's load)
            // adds to one pair's difference what it takes from the other's, so their mean is encryption's cost.
            var encryptedAgain = LoadTools.Wrk(targets[^1].Url, lua, connections, seconds, pause, false);
            var plainAgain = LoadTools.Wrk(targets[3].Url, lua, connections, seconds, pause, false);
            var (first50, first99) = (latency[^1].P50Ms - latency[3].P50Ms, latency[^1].P99Ms - latency[3].P99Ms);
            var (second50, second99) = (encryptedAgain.P50Ms - plainAgain.P50Ms, encryptedAgain.P99Ms - plainAgain.P99Ms);
            Console.WriteLine($"Encryption: a captured call into the encrypted archive added {(first50 + second50) / 2:F2} ms at p50 and {(first99 + second99) / 2:F2} ms at p99 over the same capture without encryption "
                + $"(same run, same rate; the mean of two pairs measured in opposite orders: {first50:F2}/{first99:F2} ms, then {second50:F2}/{second99:F2} ms).");
            Console.WriteLine($"Captured: the archive holds {stats.Conversations} conversations and {instances} instances after {latency[3].Requests + throughput[3].Requests + latency[4].Requests + throughput[4].Requests} captured calls (each committed and fsynced before its final event was released).");
        }
        finally
        {
            nginx.Kill(entireProcessTree: true);
            nginx.WaitForExit();
        }

        return 0;
    }

    /// <summary>POSTs a streaming chat call whose user text is unique per request (thread id and counter); AMBER_PAUSE_MS sets a pause between requests.</summary>
    private const string Lua = """
        local pause = tonumber(os.getenv("AMBER_PAUSE_MS") or "0")
        local system = os.getenv("AMBER_SYSTEM") == "1" and '{"role":"system","content":"Be brief."},' or ''

        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("tid", threads)
        end
        local counter = 0
        function request()
          counter = counter + 1
          local body = '{"model":"gpt-4o-mini","stream":true,"messages":[' .. system .. '{"role":"user","content":"Say something about preservation (thread ' .. tostring(tid) .. ', call ' .. counter .. ', ' .. tostring(math.random(1, 1000000000)) .. ')."}]}'
          return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer sk-bench" }, body)
        end
        function delay()
          return pause
        end
        """;

    private static Process StartNginx(string work, int upstreamPort, out int port)
    {
        port = PeerSystem.FreePort();
        return StartNginx(work, upstreamPort, port);
    }

    /// <summary>nginx with one worker, listening on <paramref name="port"/>, proxying to the upstream without buffering.</summary>
    internal static Process StartNginx(string work, int upstreamPort, int port)
    {
        var dir = Path.Combine(work, "nginx");
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, $$"""
            daemon off;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{dir}}/body; proxy_temp_path {{dir}}/proxy; fastcgi_temp_path {{dir}}/fastcgi; uwsgi_temp_path {{dir}}/uwsgi; scgi_temp_path {{dir}}/scgi;
              upstream up { server 127.0.0.1:{{upstreamPort}}; keepalive 64; }
              server {
                listen 127.0.0.1:{{port}};
                location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; proxy_read_timeout 3600s; }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo("nginx", $"-c {conf} -p {dir}") { RedirectStandardError = true })
            ?? throw new InvalidOperationException("could not start nginx");
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient("127.0.0.1", port);
                return process;
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"nginx did not start: {process.StandardError.ReadToEnd()}");
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
