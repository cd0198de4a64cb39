using System.Diagnostics;
using Amber.Storage;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Amber.Benchmarks;

/// <summary>
/// Time to read one conversation back. Ingests the corpus once (default options), then (1) reads every
/// conversation once, cold, timing each with a Stopwatch, beside a File.ReadAllBytes of a file of the same
/// size as its raw record; and (2) runs <see cref="ReadBenchmarks"/> with BenchmarkDotNet on a small (median)
/// and the largest conversation. Target: &lt; 1 ms per conversation.
/// </summary>
public static class ReadCommand
{
    public const double TargetMs = 1.0;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# read\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var corpus = Corpus.Load(options.CorpusDirectory);
        Console.WriteLine($"- corpus: {corpus.Directory}: {corpus.Records.Count} records, {Fmt.Bytes(corpus.RawBytes)} record bytes");
        var directory = Path.Combine(options.WorkDirectory, "read-archive");
        var ingest = CorpusIngest.Run(corpus.Records, new IngestSettings("default"), directory);
        Console.WriteLine($"- archive: default options, one durable commit per record ({Fmt.Seconds(ingest.Build + ingest.Commit)} s), {Fmt.Bytes(ingest.Stats.StoredBytes)} stored bytes, at {directory}\n");

        // Same-size plain files, one per record, for the baseline.
        var files = Path.Combine(options.WorkDirectory, "raw-files");
        Directory.CreateDirectory(files);
        var paths = new string[corpus.Records.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = Path.Combine(files, $"{i:D5}.json");
            File.WriteAllBytes(paths[i], corpus.Records[i].Bytes.ToArray());
        }

        var small = Pick(corpus, ingest, paths, "small", corpus.Records.Select((r, i) => (r, i)).OrderBy(x => x.r.Bytes.Length).ElementAt(corpus.Records.Count / 2).i);
        var largest = Pick(corpus, ingest, paths, "largest", corpus.Records.Select((r, i) => (r, i)).MaxBy(x => x.r.Bytes.Length).i);
        var setupPath = Path.Combine(options.WorkDirectory, "read-setup.json");
        new ReadSetup(directory, small, largest).Save(setupPath);

        Console.WriteLine(Sweep(corpus, ingest, paths, directory, small, largest));

        Environment.SetEnvironmentVariable(ReadSetup.Variable, setupPath);
        var args = options.Rest.ToList();
        if (!args.Any(a => a is "--job" or "-j" or "--inProcess" or "-i" or "--runtimes" or "-r"))
        {
            args.AddRange(["--job", "short", "--inProcess"]);
        }

        if (!args.Any(a => a is "--filter" or "-f"))
        {
            args.AddRange(["--filter", "*"]);
        }

        if (!args.Contains("--artifacts"))
        {
            args.AddRange(["--artifacts", Path.Combine(options.WorkDirectory, "BenchmarkDotNet.Artifacts")]);
        }

        Console.WriteLine($"## BenchmarkDotNet (`{string.Join(' ', args)}`)\n");
        Console.WriteLine($"- small: {small.Record}, raw {Fmt.Bytes(small.RawBytes)} B, node {Fmt.Bytes(small.NodeBytes)} B");
        Console.WriteLine($"- largest: {largest.Record}, raw {Fmt.Bytes(largest.RawBytes)} B, node {Fmt.Bytes(largest.NodeBytes)} B\n");
        var summaries = BenchmarkSwitcher.FromTypes([typeof(ReadBenchmarks)]).Run([.. args], DefaultConfig.Instance).ToList();
        Console.WriteLine(Targets(summaries));
        Console.WriteLine($"- load average at end (1/5/15 min): {MachineInfo.LoadAverage()}");
        return summaries.Count > 0 && summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success)) ? 0 : 1;
    }

    private static ReadTarget Pick(Corpus corpus, IngestResult ingest, string[] paths, string label, int i)
    {
        var r = corpus.Records[i];
        return new ReadTarget(label, $"{r.Folder}/{r.File}#{r.Index}", ingest.Ids[i].ConversationId, ingest.Ids[i].RawId, r.Bytes.Length,
            CorpusIngest.StandInNode(r).ToCanonicalBytes().Length, paths[i]);
    }

    /// <summary>Every conversation read once, cold (each sits in its own commit frame, read in order, so the frame cache never hits).</summary>
    private static string Sweep(Corpus corpus, IngestResult ingest, string[] paths, string directory, ReadTarget small, ReadTarget largest)
    {
        var n = corpus.Records.Count;
        var conversation = new double[n];
        var blob = new double[n];
        var file = new double[n];
        double largestCold;
        string breakdown;
        using (var archive = Archive.Open(new ArchiveOptions { Directory = directory, ReadOnly = true }))
        {
            // Warm-up (JIT) on the last 64 conversations; the sweep starts at the first, so nothing it reads is cached.
            for (var i = n - 64; i < n; i++)
            {
                _ = archive.GetConversation(ingest.Ids[i].ConversationId);
                _ = archive.GetBlob(ingest.Ids[i].RawId);
                _ = File.ReadAllBytes(paths[i]);
            }

            for (var i = 0; i < n; i++)
            {
                var t = Stopwatch.GetTimestamp();
                _ = archive.GetConversation(ingest.Ids[i].ConversationId) ?? throw new InvalidOperationException($"conversation {i} missing");
                conversation[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            for (var i = 0; i < n; i++)
            {
                var t = Stopwatch.GetTimestamp();
                _ = archive.GetBlob(ingest.Ids[i].RawId) ?? throw new InvalidOperationException($"raw blob {i} missing");
                blob[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            for (var i = 0; i < n; i++)
            {
                var t = Stopwatch.GetTimestamp();
                _ = File.ReadAllBytes(paths[i]);
                file[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            var clear = ReadBenchmarks.FrameCacheClearer(archive);
            var best = double.MaxValue;
            for (var k = 0; k < 5; k++)
            {
                clear();
                var t = Stopwatch.GetTimestamp();
                _ = archive.GetConversation(largest.ConversationId);
                best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            largestCold = best;
            breakdown = Breakdown(archive, corpus, [small, largest]);
        }

        var table = new MarkdownTable("Read (each conversation once, cold, in corpus order)", "Count:", "Mean ms:", "p50 ms:", "p90 ms:", "p99 ms:", "Max ms:", "≥ 1 ms:");
        void Row(string what, double[] ms)
        {
            var s = LatencyStats.Of(ms);
            table.Add(what, Fmt.Int(s.Count), Fmt.Ms(s.Mean), Fmt.Ms(s.P50), Fmt.Ms(s.P90), Fmt.Ms(s.P99), Fmt.Ms(s.Max), Fmt.Int(s.OverOneMs));
        }

        Row("File.ReadAllBytes of a same-size file (baseline)", file);
        Row("archive.GetBlob(raw id)", blob);
        Row("archive.GetConversation(id)", conversation);
        var c = LatencyStats.Of(conversation);
        var f = LatencyStats.Of(file);
        var slowest = conversation.Select((ms, i) => (ms, i)).OrderByDescending(x => x.ms).Take(5)
            .Select(x => $"{corpus.Records[x.i].Folder}#{corpus.Records[x.i].Index} ({Fmt.Bytes(corpus.Records[x.i].Bytes.Length)} B raw): {Fmt.Ms(x.ms)} ms");
        return $"## Cold read sweep (Stopwatch)\n\n{table}\n"
            + $"Ratio GetConversation ÷ File.ReadAllBytes: mean {Fmt.Ratio(c.Mean / f.Mean)}, p50 {Fmt.Ratio(c.P50 / f.P50)}, p99 {Fmt.Ratio(c.P99 / f.P99)}. "
            + $"Target < {TargetMs} ms per conversation: {(c.Max < TargetMs ? "met for every conversation" : $"met for {c.Count - c.OverOneMs} of {c.Count} (p50 {Fmt.Ms(c.P50)} ms, p99 {Fmt.Ms(c.P99)} ms, max {Fmt.Ms(c.Max)} ms)")}.\n"
            + $"Largest conversation, cold, best of 5: {Fmt.Ms(largestCold)} ms. Slowest in the sweep: {string.Join("; ", slowest)}.\n\n"
            + breakdown;
    }

    /// <summary>The public calls GetConversation is made of, each timed alone (best of 20, warm).</summary>
    private static string Breakdown(Archive archive, Corpus corpus, ReadTarget[] targets)
    {
        static double Best(Action action)
        {
            action();
            var best = double.MaxValue;
            for (var k = 0; k < 20; k++)
            {
                var t = Stopwatch.GetTimestamp();
                action();
                best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            return best;
        }

        var rows = new List<(string Step, double[] Ms)>();
        var columns = targets.Select(t =>
        {
            var view = archive.GetConversation(t.ConversationId)!;
            var nodeId = view.Tree.Nodes.Keys.First();
            var record = corpus.Records.First(r => $"{r.Folder}/{r.File}#{r.Index}" == t.Record);
            var canonical = CorpusIngest.StandInNode(record).ToCanonicalBytes();
            return new[]
            {
                Best(() => archive.GetConversation(t.ConversationId)),
                Best(() => archive.GetSummary(t.ConversationId)),
                Best(() => archive.ListInstances(int.MaxValue, t.ConversationId)),
                Best(() => archive.GetNode(nodeId)),
                Best(() => Amber.Core.Model.Node.FromCanonicalBytes(canonical)),
            };
        }).ToList();
        var steps = new[]
        {
            "GetConversation (whole, warm)",
            "GetSummary (one SQLite row by primary key)",
            "ListInstances(all, conversation) — called by GetConversation",
            "GetNode (index row + cached frame + parse)",
            "Node.FromCanonicalBytes alone (parse of the node)",
        };
        var table = new MarkdownTable(["Step (best of 20, warm)", .. targets.Select(t => $"{t.Label} ms:")]);
        for (var i = 0; i < steps.Length; i++)
        {
            table.Add([steps[i], .. columns.Select(c => Fmt.Ms(c[i]))]);
        }

        return $"### Where GetConversation's time goes\n\n{table}";
    }

    private static string Targets(List<Summary> summaries)
    {
        var table = new MarkdownTable("Benchmark", "Conversation", "Mean ms:", "StdDev ms:", "Allocated B:", "÷ File.ReadAllBytes:", $"< {TargetMs} ms?");
        foreach (var s in summaries)
        {
            var baselines = s.Reports.Where(r => r.BenchmarkCase.Descriptor.Baseline && r.ResultStatistics is not null)
                .ToDictionary(r => r.BenchmarkCase.Parameters["Conversation"]?.ToString() ?? "", r => r.ResultStatistics!.Mean, StringComparer.Ordinal);
            foreach (var r in s.Reports.Where(r => r.ResultStatistics is not null))
            {
                var conv = r.BenchmarkCase.Parameters["Conversation"]?.ToString() ?? "";
                var mean = r.ResultStatistics!.Mean / 1e6;
                var allocated = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase);
                table.Add(r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo, conv, Fmt.Ms(mean), Fmt.Ms(r.ResultStatistics.StandardDeviation / 1e6),
                    allocated is long a ? Fmt.Bytes(a) : "?", baselines.TryGetValue(conv, out var b) ? Fmt.Ratio(r.ResultStatistics.Mean / b) : "?",
                    mean < TargetMs ? "yes" : $"no ({Fmt.Ratio(mean / TargetMs)}×)");
            }
        }

        return $"## Read benchmarks against the target\n\n{table}";
    }
}
