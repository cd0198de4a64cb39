using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Viewer;
using Microsoft.AspNetCore.Builder;

namespace Amber.Benchmarks;

/// <summary>
/// The viewer's two targets, over real HTTP on loopback: the page of a 10,000-message conversation (target
/// under 1 s), and list pages over 1,000,000 synthetic conversations (target under 100 ms). Baselines in the
/// same run: the JSON API's response for the same conversation, and the archive's original OR-form cursor
/// query for the same deep list page. The 1M-conversation archive is cached in /tmp (AMBER_BENCH_VIEWER_CACHE
/// overrides) because building it takes minutes.
/// </summary>
public static class ViewerCommand
{
    private const int LongConversation = 10_000;
    private const int Conversations = 1_000_000;
    private const int PerCommit = 200;
    private const int Requests = 20;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# viewer\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        ConversationPage(options).GetAwaiter().GetResult();
        ListPages().GetAwaiter().GetResult();
        return 0;
    }

    private static ArchiveOptions Options(string dir) => new()
    {
        Directory = dir,
        TimeProvider = TimeProvider.System,
        CreateIfMissing = true,
    };

    private static async Task ConversationPage(BenchOptions options)
    {
        var dir = Path.Combine(options.WorkDirectory, "viewer-long");
        await using var archive = Archive.Open(Options(dir));
        var first = await AddLong(archive, "long-a", 3);
        var second = await AddLong(archive, "long-b", 5);
        var fresh = new List<string>();
        for (var k = 0; k < 3; k++)
        {
            fresh.Add(await AddLong(archive, "long-fresh-" + k.ToString(CultureInfo.InvariantCulture), 10 + k));
        }

        var cid = fresh[^1];

        await using var app = AmberServer.Build(archive, "127.0.0.1:0");
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };

        // The very first request of the process pays for JIT compilation too. A server that has run a while has
        // its code compiled at full optimization: render another long conversation, give the tiered JIT a
        // moment, then time a third one of the same size (different text, so none of its content is cached).
        var (processFirst, _) = await Time(http, "/conversations/" + first[7..]);
        await Time(http, "/api/conversations/" + first[7..]);
        await Time(http, "/conversations/" + second[7..]);
        await Task.Delay(2000);
        var page = "/conversations/" + cid[7..];
        var firsts = new List<(double Ms, long Bytes)>();
        foreach (var f in fresh)
        {
            firsts.Add(await Time(http, "/conversations/" + f[7..]));
        }

        firsts.Sort((a, b) => a.Ms.CompareTo(b.Ms));
        var (cold, coldBytes) = firsts[1];
        var warmPage = await Median(http, page, 5);
        var json = await Median(http, "/api/conversations/" + cid[7..], 5);
        var t = new MarkdownTable("10,000-message conversation", "ms (median of 5 unless noted)", "bytes", "× JSON API");
        t.Add("baseline: GET /api/conversations/{id} (same nodes as JSON)", Fmt.Ms(json.Ms), Fmt.Bytes(json.Bytes), "1.00");
        t.Add("GET /conversations/{id}, first request of the process (JIT included, once)", Fmt.Ms(processFirst), Fmt.Bytes(coldBytes), Fmt.Ratio(processFirst / json.Ms));
        t.Add("GET /conversations/{id}, first render of a conversation in a warmed server (none of its content cached; median of 3 conversations)", Fmt.Ms(cold), Fmt.Bytes(coldBytes), Fmt.Ratio(cold / json.Ms));
        t.Add("GET /conversations/{id}, rendered content cached by node id", Fmt.Ms(warmPage.Ms), Fmt.Bytes(warmPage.Bytes), Fmt.Ratio(warmPage.Ms / json.Ms));
        Console.WriteLine(t);
        Console.WriteLine($"Target: under 1,000 ms. First render: {(cold < 1000 ? "met" : "NOT met")}; cached: {(warmPage.Ms < 1000 ? "met" : "NOT met")}.\n");
        await app.StopAsync();
    }

    private static async Task<string> AddLong(Archive archive, string sourceId, int seed)
    {
        var batch = new CommitBatch("bench");
        var part = batch.AddConversation(new ConversationRecord { Format = "bench", Source = "bench", SourceId = sourceId, Title = "10,000 messages", Created = "2026-01-01T00:00:00Z" });
        var model = batch.AddModel(new ModelReference { Provider = "openai", Requested = "gpt-4o", Resolved = "gpt-4o-2024-08-06" });
        string? parent = null;
        var rng = new Random(seed);
        for (var i = 0; i < LongConversation; i++)
        {
            var user = i % 2 == 0;
            parent = part.AddNode(new Node
            {
                Parent = parent,
                Role = user ? "user" : "assistant",
                Content = [new TextBlock(Text(rng, i, user))],
                Created = $"2026-01-01T{i / 3600 % 24:D2}:{i / 60 % 60:D2}:{i % 60:D2}Z",
                Generation = user ? null : new GenerationRecord { Model = model, Parameters = new JsonObject { ["temperature"] = 0.7 }, FinishReason = "stop", Usage = new JsonObject { ["completion_tokens"] = 40 } },
            });
        }

        await archive.CommitAsync(batch);
        return part.Id;
    }

    private static string Text(Random rng, int i, bool user)
    {
        if (user)
        {
            return $"Question {i}: how does the {Word(rng)} relate to the {Word(rng)}?";
        }

        return (i % 10) switch
        {
            1 => $"Here is **the answer** to {i}:\n\n- the {Word(rng)} comes first\n- then the {Word(rng)}\n\n```python\nprint({i})\n```",
            3 => $"A table for {i}:\n\n| a | b |\n|---|---|\n| {Word(rng)} | {Word(rng)} |",
            _ => $"Answer {i}: the {Word(rng)} and the {Word(rng)} are related through the {Word(rng)}, as _usual_.",
        };
    }

    private static string Word(Random rng) => SampleWords[rng.Next(SampleWords.Length)];

    private static readonly string[] SampleWords = ["kettle", "river", "lantern", "orchid", "meadow", "harbor", "quartz", "ledger", "violet", "segment"];

    private static async Task ListPages()
    {
        var dir = Environment.GetEnvironmentVariable("AMBER_BENCH_VIEWER_CACHE") ?? Path.Combine(Path.GetTempPath(), "amber-bench-viewer-1m");
        var build = Stopwatch.StartNew();
        await using var archive = Archive.Open(Options(dir));
        var have = archive.GetStats().Conversations;
        if (have < Conversations)
        {
            Console.WriteLine($"Building the synthetic archive in {dir} ({have:N0} → {Conversations:N0} conversations; cached for later runs)…");
            var pending = new List<Task>();
            for (var start = (int)have; start < Conversations; start += PerCommit)
            {
                var batch = new CommitBatch("bench");
                for (var i = start; i < Math.Min(Conversations, start + PerCommit); i++)
                {
                    var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    var part = batch.AddConversation(new ConversationRecord { Format = "bench", Source = i % 10 == 0 ? "rare" : "bench", SourceId = "c" + i.ToString(CultureInfo.InvariantCulture), Title = $"Conversation {i}", Created = stamp });
                    part.AddNode(new Node { Role = "user", Content = [new TextBlock($"Message {i} about the {SampleWords[i % SampleWords.Length]}")], Created = stamp });
                }

                pending.Add(archive.CommitAsync(batch));
                if (pending.Count >= 64)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }

            await Task.WhenAll(pending);
            Console.WriteLine($"Built in {Fmt.Seconds(build.Elapsed)} s.\n");
        }

        await using var app = AmberServer.Build(archive, "127.0.0.1:0");
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await Time(http, "/"); // JIT

        // A cursor half-way through: the conversation created at minute 500,000.
        var middle = Conversations / 2;
        var created = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(middle).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var id = new ConversationRecord { Format = "bench", Source = middle % 10 == 0 ? "rare" : "bench", SourceId = "c" + middle.ToString(CultureInfo.InvariantCulture) }.Id;
        var cursor = Uri.EscapeDataString(created + "|" + id);
        var oldDeep = MedianOf(() => archive.ListConversations(50, null, (created, id)).Count, Requests);
        var newDeep = MedianOf(() => archive.PageConversations(50, null, (created, id)).Count, Requests);
        var t = new MarkdownTable($"List pages over {Conversations:N0} conversations (50 per page)", "ms (median of 20)", "× baseline");
        t.Add("baseline: query only, original cursor `created < c OR (created = c AND id < i)`, page at 500,000", Fmt.Ms(oldDeep), "1.00");
        t.Add("query only, row-value cursor `(created, id) < (c, i)`, page at 500,000", Fmt.Ms(newDeep), Fmt.Ratio(newDeep / oldDeep));
        foreach (var (label, path) in new[]
        {
            ("GET / (first page, HTML)", "/"),
            ("GET /?before=… (page at 500,000, HTML)", "/?before=" + cursor),
            ("GET /?source=rare&before=… (filtered, page at 500,000, HTML)", "/?source=rare&before=" + cursor),
            ("GET /api/conversations?before=… (page at 500,000, JSON)", "/api/conversations?before=" + cursor),
            ("GET /?q=lantern (search page, 50 hits)", "/?q=lantern"),
        })
        {
            var m = await Median(http, path, Requests);
            t.Add(label, Fmt.Ms(m.Ms), Fmt.Ratio(m.Ms / oldDeep));
        }

        Console.WriteLine(t);

        // Not a target: the dashboard scans whole tables (counts, monthly series), so it is timed once, cold.
        var d = new MarkdownTable($"Dashboard over {Conversations:N0} conversations", "ms (one request)");
        foreach (var path in new[] { "/api/dashboard", "/dashboard", "/charts/activity.svg", "/charts/activity.svg" })
        {
            d.Add("GET " + path, Fmt.Ms((await Time(http, path)).Ms));
        }

        Console.WriteLine(d);
        Console.WriteLine("(the second chart request is served from the chart cache, valid until the next commit)\n");
        await app.StopAsync();
    }

    private static double MedianOf(Func<int> query, int n)
    {
        query();
        var times = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var sw = Stopwatch.StartNew();
            query();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<(double Ms, long Bytes)> Time(HttpClient http, string path)
    {
        var sw = Stopwatch.StartNew();
        var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        var ms = sw.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
        }

        return (ms, body.Length);
    }

    private static async Task<(double Ms, long Bytes)> Median(HttpClient http, string path, int n)
    {
        var results = new List<(double Ms, long Bytes)>();
        for (var i = 0; i < n; i++)
        {
            results.Add(await Time(http, path));
        }

        results.Sort((a, b) => a.Ms.CompareTo(b.Ms));
        return results[results.Count / 2];
    }
}
