using System.Diagnostics;
using System.Globalization;
using Amber.Core.Model;
using Amber.Proxy.Spooling;
using Amber.Storage;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Torture;

/// <summary>
/// SIGKILL campaigns on the servers: `amber proxy` (the recording gateway, against a fake upstream on 127.0.0.1) and
/// `amber serve --local-model … --freeze` (the local model host), each under load from several clients, killed at a
/// random moment. After each kill: the archive opens (recovering), verify passes, every answer the client acknowledged
/// (read its final event, or its whole body, and the <c>Amber-Instance</c> id) is there with the text the client read,
/// and any other answer of these calls that is there is whole (its prompt above it, not cut, with its frozen state).
/// </summary>
public static class ServerKillCampaigns
{
    /// <summary>Concurrent clients per trial.</summary>
    private const int Clients = 4;

    /// <summary>The kill lands between these bounds after the server answered /healthz (the clients start then).</summary>
    private static readonly (double Min, double Max) GatewayKillWindow = (0.05, 2.5);

    /// <summary>Wider for the local model host: its first call loads the model (about 1.5 s here), and each generates tokens.</summary>
    private static readonly (double Min, double Max) LocalKillWindow = (0.2, 6);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The gateway: OpenAI Chat Completions, Responses and Anthropic Messages, streamed and not, with <c>--ack durable</c> and <c>--ack async</c> in alternate trials.</summary>
    public static Tally Gateway(CampaignSettings s) => GatewayAsync(s).GetAwaiter().GetResult();

    /// <summary>The local model host with <c>--freeze</c> (a tiny GGUF of ../shared/models), streamed and not.</summary>
    public static Tally Local(CampaignSettings s) => LocalAsync(s).GetAwaiter().GetResult();

    private static async Task<Tally> GatewayAsync(CampaignSettings s)
    {
        var tally = new Tally("kill-gateway");
        await using var upstream = await FakeUpstream.StartAsync().ConfigureAwait(false);
        var fake = upstream.Url.ToString().TrimEnd('/');
        var calls = new Dictionary<string, List<GatewayCall>>(StringComparer.Ordinal) { ["durable"] = [], ["async"] = [] };
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var ack = trial % 2 == 0 ? "durable" : "async";
            var dir = Path.Combine(s.Work, $"gateway-{ack}");
            string[] args = ["--openai-upstream", fake, "--anthropic-upstream", fake, "--ack", ack];
            var made = await LoadAndKillAsync(dir, "proxy", args, localModel: null, GatewayKillWindow, trial, rng, tally, s).ConfigureAwait(false);
            calls[ack].AddRange(made);
            if (ack == "async")
            {
                await DrainSpoolAsync(dir, args, tally, trial).ConfigureAwait(false);
            }

            Audit(dir, calls[ack], freeze: false, tally, trial);
        }

        tally.Notes.Add(Describe(calls.Values.SelectMany(c => c)));
        return tally;
    }

    private static async Task<Tally> LocalAsync(CampaignSettings s)
    {
        var tally = new Tally("kill-local");
        var model = SharedData.RequireModel("stories260K.gguf");
        var dir = Path.Combine(s.Work, "local");
        var calls = new List<GatewayCall>();
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            calls.AddRange(await LoadAndKillAsync(dir, "serve", ["--local-model", $"stories={model}", "--freeze"], localModel: "stories", LocalKillWindow, trial, rng, tally, s).ConfigureAwait(false));
            Audit(dir, calls, freeze: true, tally, trial);
        }

        tally.Notes.Add(Describe(calls));
        return tally;
    }

    /// <summary>Starts the server, lets <see cref="Clients"/> clients call it until the SIGKILL at a random moment, and returns their calls.</summary>
    private static async Task<List<GatewayCall>> LoadAndKillAsync(string dir, string command, string[] args, string? localModel, (double Min, double Max) window, int trial, Random rng, Tally tally, CampaignSettings s)
    {
        tally.Trials++;
        using var server = await AmberServer.StartAsync(dir, command, args, StartTimeout).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
        using var stop = new CancellationTokenSource();
        var calls = new List<GatewayCall>();
        var clientSeeds = Enumerable.Range(0, Clients).Select(_ => rng.Next()).ToArray();
        var clients = clientSeeds.Select((seed, c) => Task.Run(() => ClientAsync(http, localModel, trial, c, new Random(seed), calls, stop.Token))).ToArray();
        var moment = TimeSpan.FromSeconds(window.Min + (rng.NextDouble() * (window.Max - window.Min)));
        await Task.Delay(moment).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false); // no new call starts; the calls in flight are cut by the kill
        if (server.Kill())
        {
            tally.Kills++;
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        lock (calls)
        {
            var acknowledged = calls.Count(c => c.Acknowledged);
            tally.Acknowledged += acknowledged;
            s.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tally.Campaign} trial {trial}: {string.Join(' ', args.Where(a => a is "durable" or "async"))} killed at {moment.TotalSeconds:0.00} s, {calls.Count} call(s), {acknowledged} acknowledged"));
            return [.. calls];
        }
    }

    private static async Task ClientAsync(HttpClient http, string? localModel, int trial, int client, Random rng, List<GatewayCall> calls, CancellationToken stop)
    {
        string[] shapes = localModel is null ? [GatewayCall.OpenAiChat, GatewayCall.OpenAiResponses, GatewayCall.Anthropic] : [GatewayCall.OpenAiChat];
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var call = new GatewayCall(shapes[rng.Next(shapes.Length)], stream: rng.Next(2) == 0, $"torture trial {trial} client {client} call {n}");
            lock (calls)
            {
                calls.Add(call);
            }

            // The kill, not the stop, ends a call in flight: the token only stops new calls (else, refused fast, they would pile up after it).
            await call.RunAsync(http, localModel, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// With <c>--ack async</c> an acknowledged exchange may still be in the spool: a new gateway drains it at start. Starts
    /// one, waits until the spool holds no finished file, and kills it (what it recorded is durable by then).
    /// </summary>
    internal static async Task DrainSpoolAsync(string dir, string[] args, Tally tally, int trial)
    {
        using var server = await AmberServer.StartAsync(dir, "proxy", args, StartTimeout).ConfigureAwait(false);
        var spool = Path.Combine(dir, ExchangeSpool.Folder);
        var clock = Stopwatch.StartNew();
        while (Directory.Exists(spool) && Directory.EnumerateFiles(spool).Any(f => !f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                tally.Loss(trial, $"the restarted gateway did not drain its spool within 2 minutes: {server.Errors.Trim()}");
                break;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        server.Kill();
    }

    /// <summary>Opens the archive as the next process would, verifies it, and checks every call made so far.</summary>
    internal static void Audit(string dir, List<GatewayCall> calls, bool freeze, Tally tally, int trial)
    {
        ArchiveAudit.Check(dir, tally, trial, archive =>
        {
            foreach (var call in calls.Where(c => c.Instance is not null))
            {
                var id = call.Instance!.StartsWith("inst_", StringComparison.Ordinal) ? archive.FindNodeByKey("instance:" + call.Instance) : (archive.ContainsNode(call.Instance) ? call.Instance : null);
                var answer = id is null ? null : archive.GetNode(id);
                if (answer is null)
                {
                    if (call.Acknowledged)
                    {
                        tally.Loss(trial, $"acknowledged answer {call.Instance} ({call.Describe}) is missing");
                    }

                    continue;
                }

                var text = string.Concat(answer.Content.OfType<TextBlock>().Select(b => b.Text));
                if (call.Acknowledged && text != call.Text)
                {
                    tally.Loss(trial, $"answer {call.Instance} ({call.Describe}) holds \"{text}\", the client read \"{call.Text}\"");
                }

                if (answer.Flags.Contains(NodeFlags.Interrupted) || answer.Role != "assistant")
                {
                    tally.Loss(trial, $"answer {call.Instance} ({call.Describe}) is half there: role {answer.Role}, flags [{string.Join(", ", answer.Flags)}]");
                }

                if (!UnderPrompt(archive, answer, call.Prompt))
                {
                    tally.Loss(trial, $"answer {call.Instance} ({call.Describe}) is not under its prompt");
                }

                if (freeze && (answer.Generation?.State is not { } state || !archive.ContainsBlob(state)))
                {
                    tally.Loss(trial, $"answer {call.Instance} ({call.Describe}) lacks its frozen state");
                }
            }
        });
        SqliteConnection.ClearAllPools(); // the next server opens the index itself
    }

    private static bool UnderPrompt(Archive archive, Node answer, string prompt)
    {
        for (var parent = answer.Parent; parent is not null;)
        {
            var node = archive.GetNode(parent);
            if (node is null)
            {
                return false;
            }

            if (node.Role == "user" && node.SearchText == prompt)
            {
                return true;
            }

            parent = node.Parent;
        }

        return false;
    }

    internal static string Describe(IEnumerable<GatewayCall> calls)
    {
        var all = calls.ToList();
        var shapes = all.GroupBy(c => $"{c.Shape}{(c.Stream ? " streamed" : "")}")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count(c => c.Acknowledged)}/{g.Count()}"));
        return string.Create(CultureInfo.InvariantCulture, $"{all.Count} calls, {all.Count(c => c.Instance is not null)} with an instance id, acknowledged/made by shape: {string.Join(", ", shapes)}");
    }
}
