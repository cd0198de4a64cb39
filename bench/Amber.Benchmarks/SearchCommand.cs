using System.Diagnostics;
using System.Globalization;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Amber.Benchmarks;

/// <summary>
/// <c>search</c>: (1) the index of <c>../shared/corpus</c> imported into a fresh archive, per table (SQLite's dbstat),
/// beside the segments and the raw bytes; <c>--index PATH</c> measures another index.db the same way (an index of an
/// earlier schema, for the before figure). (2) Search latency through the public <see cref="Archive.Search"/> over a
/// synthetic archive of <c>--messages</c> messages (1,000,000) in which one word occurs in every tenth (100,000):
/// <c>--newest</c> and ranked, cold (a freshly opened archive's first query) and warm, p50/p95, against a baseline in
/// the same run: counting every match of the word, the least a query that sorts all matches must do.
/// </summary>
public static class SearchCommand
{
    private const string Word = "zephyr";
    private const int PerConversation = 100;
    private const int ConversationsPerCommit = 20;
    private const int Limit = 50;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# search\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        if (options.Option("--index") is { } other)
        {
            Console.WriteLine($"\n## Index {other}\n");
            PrintTables(other);
        }

        if (Directory.Exists(options.CorpusDirectory))
        {
            CorpusIndex(options);
        }
        else
        {
            Console.WriteLine($"\n(no corpus at {options.CorpusDirectory}: the corpus index size is not measured)\n");
        }

        Latency(options);
        return 0;
    }

    private static void CorpusIndex(BenchOptions options)
    {
        var dir = Path.Combine(options.WorkDirectory, "search-corpus");
        var files = Corpus.DataFiles(options.CorpusDirectory);
        var rawBytes = files.Sum(f => new FileInfo(f).Length);
        ArchiveStats stats;
        using (var archive = CorpusArchive.Import(dir, files))
        {
            stats = archive.GetStats();
        }

        var index = Path.Combine(dir, "index.db");
        var log = Directory.EnumerateFiles(Path.Combine(dir, "log"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var indexBytes = new FileInfo(index).Length;
        var total = stats.SegmentBytes + stats.ExternalBlobBytes + log + indexBytes;
        Console.WriteLine($"\n## The corpus archive ({files.Count} files, {Fmt.Bytes(rawBytes)} B raw)\n");
        var t = new MarkdownTable("Part", "Bytes", "× raw bytes");
        t.Add("segments", Fmt.Bytes(stats.SegmentBytes), Ratio(stats.SegmentBytes, rawBytes));
        t.Add("external blobs", Fmt.Bytes(stats.ExternalBlobBytes), Ratio(stats.ExternalBlobBytes, rawBytes));
        t.Add("log", Fmt.Bytes(log), Ratio(log, rawBytes));
        t.Add("index.db (after a clean close)", Fmt.Bytes(indexBytes), Ratio(indexBytes, rawBytes));
        t.Add("**total**", Fmt.Bytes(total), Ratio(total, rawBytes));
        Console.WriteLine(t);
        Console.WriteLine("\n### index.db by table (dbstat)\n");
        PrintTables(index);
    }

    private static string Ratio(long bytes, long of) => (bytes / (double)of).ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>
    /// Bytes of every table and index of an index.db, largest first: SQLite's dbstat (pages in use), through the
    /// <c>sqlite3</c> CLI, since the SQLite bundled with Microsoft.Data.Sqlite is built without dbstat.
    /// </summary>
    internal static void PrintTables(string path)
    {
        var psi = new ProcessStartInfo("sqlite3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-readonly", "-separator", "\t", path, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC" })
        {
            psi.ArgumentList.Add(a);
        }

        string output;
        try
        {
            using var p = Process.Start(psi)!;
            output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                Console.WriteLine($"(sqlite3 failed: {p.StandardError.ReadToEnd().Trim()})\n");
                return;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine("(the sqlite3 CLI is not installed: no per-table figures)\n");
            return;
        }

        var t = new MarkdownTable("Table or index", "Bytes");
        long total = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cells = line.Split('\t');
            var bytes = long.Parse(cells[1], CultureInfo.InvariantCulture);
            total += bytes;
            t.Add(cells[0], Fmt.Bytes(bytes));
        }

        t.Add("**all**", Fmt.Bytes(total));
        Console.WriteLine(t);
    }

    private static void Latency(BenchOptions options)
    {
        var messages = options.IntOption("--messages", 1_000_000);
        var queries = options.IntOption("--queries", 100);
        var colds = options.IntOption("--cold", 20);
        var dir = Environment.GetEnvironmentVariable("AMBER_BENCH_SEARCH_CACHE") ?? Path.Combine(Path.GetTempPath(), $"amber-bench-search-{messages}");
        Build(dir, messages);

        Console.WriteLine($"\n## Search over {messages:N0} messages, \"{Word}\" in {messages / 10:N0} of them, {Limit} hits a query\n");
        Console.WriteLine($"Archive in {dir}; index.db {Fmt.Bytes(new FileInfo(Path.Combine(dir, "index.db")).Length)} B. Cold: a freshly opened read-only archive's first query (new SQLite connections, empty frame cache; the OS page cache stays warm), {colds} times. Warm: {queries} queries after 5 unmeasured.\n");
        var baseline = new List<(double Wall, double Cpu)>();
        var cold = new Dictionary<SearchOrder, List<(double, double)>> { [SearchOrder.Newest] = [], [SearchOrder.Rank] = [] };
        var warm = new Dictionary<SearchOrder, List<(double, double)>> { [SearchOrder.Newest] = [], [SearchOrder.Rank] = [] };
        var options1 = new ArchiveOptions { Directory = dir, ReadOnly = true };
        for (var i = 0; i < colds; i++)
        {
            foreach (var order in cold.Keys)
            {
                SqliteConnection.ClearAllPools();
                using var archive = Archive.Open(options1);
                cold[order].Add(Time(() => Check(archive.Search(Word, Limit, order))));
            }
        }

        using (var archive = Archive.Open(options1))
        {
            foreach (var order in warm.Keys)
            {
                for (var i = 0; i < 5 + queries; i++)
                {
                    var ms = Time(() => Check(archive.Search(Word, Limit, order)));
                    if (i >= 5)
                    {
                        warm[order].Add(ms);
                    }
                }
            }
        }

        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "index.db"), Mode = SqliteOpenMode.ReadOnly }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM node_text WHERE node_text MATCH $q";
            cmd.Parameters.AddWithValue("$q", Word);
            for (var i = 0; i < 5 + queries; i++)
            {
                long count = 0;
                var ms = Time(() => count = (long)cmd.ExecuteScalar()!);
                if (count != messages / 10)
                {
                    throw new InvalidOperationException($"the word matches {count} messages, not {messages / 10}");
                }

                if (i >= 5)
                {
                    baseline.Add(ms);
                }
            }
        }

        // Wall time, and the calling thread's CPU time over the same call: on a loaded machine the wall time is mostly waiting for a core.
        var b = baseline.Select(x => x.Wall).ToList();
        var bCpu = baseline.Select(x => x.Cpu).ToList();
        var t = new MarkdownTable("Query", "p50 ms", "p95 ms", "p50 × baseline", "CPU p50 ms", "CPU p95 ms", "CPU p50 × baseline");
        t.Add("baseline: count every match (`SELECT count(*) … MATCH`), warm", F(P(b, 0.5)), F(P(b, 0.95)), "1.000", F(P(bCpu, 0.5)), F(P(bCpu, 0.95)), "1.000");
        foreach (var (label, set) in new[] { ("cold", cold), ("warm", warm) })
        {
            foreach (var order in new[] { SearchOrder.Newest, SearchOrder.Rank })
            {
                var wall = set[order].Select(x => x.Item1).ToList();
                var cpu = set[order].Select(x => x.Item2).ToList();
                t.Add($"`Search(…, {order})`, {label}", F(P(wall, 0.5)), F(P(wall, 0.95)), X(P(wall, 0.5), P(b, 0.5)), F(P(cpu, 0.5)), F(P(cpu, 0.95)), X(P(cpu, 0.5), P(bCpu, 0.5)));
            }
        }

        Console.WriteLine(t);
    }

    private static double P(List<double> ms, double p)
    {
        var sorted = ms.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string X(double a, double b) => (a / Math.Max(b, 1e-6)).ToString("F3", CultureInfo.InvariantCulture);

    private static string F(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);

    private static (double Wall, double Cpu) Time(Action a)
    {
        var cpu = ThreadCpu.Milliseconds();
        var t = Stopwatch.GetTimestamp();
        a();
        var wall = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        return (wall, ThreadCpu.Milliseconds() - cpu);
    }

    private static void Check(IReadOnlyList<SearchHit> hits)
    {
        if (hits.Count != Limit || !hits[0].Snippet.Contains('«', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected {Limit} hits with marked snippets, got {hits.Count}");
        }
    }

    /// <summary>Builds the synthetic archive through the commit path once (kept for later runs): chains of <see cref="PerConversation"/> messages, every tenth holding the word.</summary>
    private static void Build(string dir, int messages)
    {
        using var archive = Archive.Open(new ArchiveOptions { Directory = dir, CreateIfMissing = true });
        var have = archive.GetStats().Nodes;
        if (have >= messages)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        Console.WriteLine($"\nBuilding the synthetic archive in {dir} ({have:N0} → {messages:N0} messages)…");
        var rng = new Random(22);
        var pending = new List<Task>();
        var conversations = messages / PerConversation;
        for (var start = (int)(have / PerConversation); start < conversations; start += ConversationsPerCommit)
        {
            var batch = new CommitBatch("bench");
            for (var cv = start; cv < Math.Min(conversations, start + ConversationsPerCommit); cv++)
            {
                var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(cv).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var part = batch.AddConversation(new ConversationRecord { Format = "bench", Source = "bench", SourceId = "c" + cv.ToString(CultureInfo.InvariantCulture), Title = $"Conversation {cv}", Created = stamp });
                string? parent = null;
                for (var m = 0; m < PerConversation; m++)
                {
                    var n = (cv * PerConversation) + m;
                    parent = part.AddNode(new Node { Parent = parent, Role = m % 2 == 0 ? "user" : "assistant", Content = [new TextBlock(Text(rng, n))], Created = stamp });
                }
            }

            pending.Add(archive.CommitAsync(batch));
            if (pending.Count >= 8)
            {
                Task.WhenAll(pending).GetAwaiter().GetResult();
                pending.Clear();
            }
        }

        Task.WhenAll(pending).GetAwaiter().GetResult();
        Console.WriteLine($"Built in {Fmt.Seconds(clock.Elapsed)} s.");
    }

    /// <summary>About a dozen words from a vocabulary of 20,000, and the word in every tenth message.</summary>
    private static string Text(Random rng, int n)
    {
        var words = new string[12];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = "w" + rng.Next(20_000).ToString(CultureInfo.InvariantCulture);
        }

        if (n % 10 == 0)
        {
            words[rng.Next(words.Length)] = Word;
        }

        return $"Message {n}: " + string.Join(' ', words) + ".";
    }
}
