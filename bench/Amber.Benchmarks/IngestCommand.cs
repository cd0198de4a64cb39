using System.Diagnostics;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage;
using ZstdSharp;

namespace Amber.Benchmarks;

/// <summary>
/// Durable ingest throughput (MB/s of raw record bytes) against single-core <c>zstd -3</c> on the same
/// bytes (the CLI and ZstdSharp in-process), with a crude breakdown of where the commit time goes.
/// </summary>
public static class IngestCommand
{
    public const double Target = 0.3;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# ingest\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var corpus = Corpus.Load(options.CorpusDirectory);
        var raw = corpus.RawBytes;
        Console.WriteLine($"- corpus: {corpus.Directory}: {corpus.Records.Count} records in {corpus.Files.Count} files, {Fmt.Bytes(raw)} record bytes ({Fmt.Bytes(corpus.FileBytes)} file bytes)");
        Console.WriteLine($"- work folder (archives, temp files): {options.WorkDirectory}\n");

        // Baselines on the concatenated record bytes.
        var concat = Path.Combine(options.WorkDirectory, "records.bin");
        var all = Concatenate(corpus.Records);
        File.WriteAllBytes(concat, all);
        var baselines = new MarkdownTable("Baseline (same bytes, one thread)", "Best of 3 s:", "MB/s:", "Output bytes:");
        double? cliMBps = null;
        if (ZstdBaseline.CliAvailable)
        {
            var cli = ZstdBaseline.CliCompressTime(concat, "-3 -T1", 3);
            cliMBps = raw / 1e6 / cli.TotalSeconds;
            var (cliSize, _) = ZstdBaseline.CliCompressedSize(concat, "-3 -T1");
            baselines.Add("`zstd -3 -T1 -c records.bin > /dev/null` (CLI)", Fmt.Seconds(cli), Fmt.Rate(cliMBps.Value), Fmt.Bytes(cliSize));
        }
        else
        {
            Console.WriteLine($"**{ZstdBaseline.CliPath} is not installed: only the in-process baseline is reported.**\n");
        }

        var (inproc, inprocSize) = ZstdBaseline.InProcess(all, 3, 3);
        var inprocMBps = raw / 1e6 / inproc.TotalSeconds;
        baselines.Add("ZstdSharp level 3, one frame (in-process)", Fmt.Seconds(inproc), Fmt.Rate(inprocMBps), Fmt.Bytes(inprocSize));

        // Warm-up: JIT the write path on every 20th record, in a throwaway archive.
        CorpusIngest.Run(corpus.Records.Where((_, i) => i % 20 == 0).ToList(), new IngestSettings("warm-up"), Path.Combine(options.WorkDirectory, "warmup"));

        var runs = new List<IngestResult>();
        for (var rep = 0; rep < options.Repeat; rep++)
        {
            runs.Add(CorpusIngest.Run(corpus.Records, new IngestSettings("level 3", o => o with { CompressionLevel = 3 }), Path.Combine(options.WorkDirectory, $"l3-{rep}")));
            runs.Add(CorpusIngest.Run(corpus.Records, new IngestSettings("default (level 9)"), Path.Combine(options.WorkDirectory, $"default-{rep}")));
        }

        var noSync = CorpusIngest.Run(corpus.Records, new IngestSettings("default, fsync skipped (NOT durable, diagnostic)", Durable: false), Path.Combine(options.WorkDirectory, "nosync"));
        var pipelined = CorpusIngest.Run(corpus.Records, new IngestSettings("default, pipelined CommitAsync (group commit, durable)", Pipelined: true), Path.Combine(options.WorkDirectory, "pipelined"));

        var table = new MarkdownTable("Archive run", "Commit s:", "MB/s:", "Batch build s:", "End-to-end MB/s:", "File fsyncs:", "File fsync s:", "Dir fsyncs:", "Dir fsync s:", "Stored bytes:", "Index bytes:");
        foreach (var r in runs.Append(noSync).Append(pipelined))
        {
            table.Add(r.Settings.Label, Fmt.Seconds(r.Commit), Fmt.Rate(r.CommitMBps), Fmt.Seconds(r.Build), Fmt.Rate(r.EndToEndMBps),
                Fmt.Int(r.FileSyncs), Fmt.Seconds(r.FileSync), Fmt.Int(r.DirectorySyncs), Fmt.Seconds(r.DirectorySync), Fmt.Bytes(r.Stats.StoredBytes), Fmt.Bytes(r.Stats.IndexBytes));
        }

        Console.WriteLine($"## Baselines\n\n{baselines}");
        Console.WriteLine($"## Archive ingest ({corpus.Records.Count} commits, one per record, each durable; MB = 10^6 bytes of raw record bytes)\n\n{table}");

        var ratios = new MarkdownTable("Archive run", "Archive MB/s:", "zstd -3 CLI MB/s:", "Ratio vs CLI:", "ZstdSharp -3 MB/s:", "Ratio vs ZstdSharp:", $"Target ≥ {Target} met?");
        foreach (var g in runs.Append(pipelined).GroupBy(r => r.Settings.Label))
        {
            var best = g.MaxBy(r => r.CommitMBps)!;
            var vsCli = cliMBps is { } c ? best.CommitMBps / c : double.NaN;
            var reference = cliMBps is null ? best.CommitMBps / inprocMBps : vsCli;
            ratios.Add(best.Settings.Label + (g.Count() > 1 ? $" (best of {g.Count()})" : ""), Fmt.Rate(best.CommitMBps),
                cliMBps is { } c2 ? Fmt.Rate(c2) : "n/a", cliMBps is null ? "n/a" : Fmt.Ratio(vsCli), Fmt.Rate(inprocMBps),
                Fmt.Ratio(best.CommitMBps / inprocMBps), reference >= Target ? "yes" : $"no ({Fmt.Ratio(reference / Target)} of target)");
        }

        Console.WriteLine($"## Ratios\n\n{ratios}");
        Console.WriteLine(Breakdown(corpus, runs.Last(r => r.Settings.Configure is null), noSync));
        Console.WriteLine($"- load average at end (1/5/15 min): {MachineInfo.LoadAverage()}");
        return 0;
    }

    /// <summary>A crude Stopwatch breakdown of the default run's commit time.</summary>
    private static string Breakdown(Corpus corpus, IngestResult run, IngestResult noSync)
    {
        var level = run.CompressionLevel;

        // What the writer thread does per commit, re-timed on this thread (estimates).
        var nodes = corpus.Records.Select(CorpusIngest.StandInNode).ToList();
        var t = Stopwatch.GetTimestamp();
        var canonical = nodes.Select(n => n.ToCanonicalBytes()).ToList();
        var canonicalTime = Stopwatch.GetElapsedTime(t);
        t = Stopwatch.GetTimestamp();
        foreach (var c in canonical)
        {
            _ = ContentId.Of(c);
        }

        foreach (var r in corpus.Records)
        {
            _ = ContentId.Of(r.Bytes.Span);
        }

        var hashTime = Stopwatch.GetElapsedTime(t);
        var payloads = corpus.Records.Select((r, i) => Concatenate([r.Bytes, canonical[i]])).ToList();
        using (var warm = new Compressor(level))
        {
            _ = warm.Wrap(payloads[0]);
        }

        t = Stopwatch.GetTimestamp();
        using (var compressor = new Compressor(level))
        {
            foreach (var p in payloads)
            {
                _ = compressor.Wrap(p).Length;
            }
        }

        var compressTime = Stopwatch.GetElapsedTime(t);
        t = Stopwatch.GetTimestamp();
        foreach (var c in canonical)
        {
            _ = Node.FromCanonicalBytes(c);
            _ = ContentId.Of(c);
        }

        var reparseTime = Stopwatch.GetElapsedTime(t);

        // The whole index rebuilt from the segments in one transaction (decompress + decode + SQLite).
        TimeSpan rebuild;
        using (var archive = Archive.Open(new ArchiveOptions { Directory = run.ArchiveDirectory }))
        {
            t = Stopwatch.GetTimestamp();
            archive.RebuildIndex();
            rebuild = Stopwatch.GetElapsedTime(t);
        }

        var commit = run.Commit;
        var fsync = run.FileSync + run.DirectorySync;
        var accounted = fsync + run.Write + compressTime + reparseTime;
        var table = new MarkdownTable("Part of the default run's commit time", "Seconds:", "Share:", "How measured");
        void Row(string what, TimeSpan time, string how) => table.Add(what, Fmt.Seconds(time), Fmt.Percent(time / commit), how);
        Row("all commits (wall)", commit, "Stopwatch around archive.Commit");
        Row("fsync of files", run.FileSync, $"timed IFileSystem wrapper, {run.FileSyncs} calls");
        Row("fsync of directories", run.DirectorySync, $"timed wrapper, {run.DirectorySyncs} calls");
        Row("segment/blob/checkpoint writes (pwrite)", run.Write, $"timed wrapper, {Fmt.Bytes(run.WriteBytes)} bytes");
        Row($"zstd level {level} of raw + node bytes (estimate)", compressTime, "re-timed here, one Compressor, no dictionary");
        Row("index side: node re-parse + re-hash (estimate)", reparseTime, "re-timed here: Node.FromCanonicalBytes + SHA-256");
        Row("rest: SQLite index, frame encode, channel hop, …", commit - accounted, "residual");
        table.Add("*same run with fsync skipped (diagnostic)*", Fmt.Seconds(noSync.Commit), Fmt.Percent(noSync.Commit / commit), "all commits, no fsync at all");
        table.Add("*index rebuilt from segments, one transaction*", Fmt.Seconds(rebuild), Fmt.Percent(rebuild / commit), "archive.RebuildIndex(): decompress + decode + SQLite");

        var build = new MarkdownTable("Batch building (outside the commit, caller thread)", "Seconds:", "How measured");
        build.Add("all batches (default run)", Fmt.Seconds(run.Build), "Stopwatch around building each CommitBatch");
        build.Add("node canonical JSON (RFC 8785)", Fmt.Seconds(canonicalTime), "re-timed here: Node.ToCanonicalBytes");
        build.Add("SHA-256 of canonical nodes + raw records", Fmt.Seconds(hashTime), $"re-timed here, {Fmt.Bytes(canonical.Sum(c => (long)c.Length) + corpus.RawBytes)} bytes");
        var sorted = run.CommitTimes.Order().ToList();
        double Pct(double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))].TotalMilliseconds;
        var slow = run.CommitTimes.Select((time, i) => (time, i)).OrderByDescending(x => x.time).Take(8)
            .Select(x => $"{corpus.Records[x.i].Folder}#{corpus.Records[x.i].Index} ({Fmt.Bytes(corpus.Records[x.i].Bytes.Length)} B): {Fmt.Ms(x.time)} ms");
        var latency = $"Per-commit latency (default run): p50 {Fmt.Ms(Pct(0.5))} ms, p90 {Fmt.Ms(Pct(0.9))} ms, p99 {Fmt.Ms(Pct(0.99))} ms, max {Fmt.Ms(sorted[^1])} ms. "
            + $"Slowest: {string.Join("; ", slow)}.";
        return $"## Where the time goes (default level {level})\n\n{table}\n{build}\n{latency}\n";
    }

    private static byte[] Concatenate(IEnumerable<CorpusRecord> records) => Concatenate(records.Select(r => r.Bytes));

    private static byte[] Concatenate(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        var list = parts.ToList();
        var all = new byte[list.Sum(p => (long)p.Length)];
        var at = 0;
        foreach (var p in list)
        {
            p.Span.CopyTo(all.AsSpan(at));
            at += p.Length;
        }

        return all;
    }
}
