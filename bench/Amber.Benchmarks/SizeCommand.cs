namespace Amber.Benchmarks;

/// <summary>
/// Stored bytes of the ingested corpus (segments + external blob files; the index separately) against
/// <c>zstd -19 --long=27 -T1</c> of all corpus files concatenated, at several levels and dictionary settings.
/// </summary>
public static class SizeCommand
{
    private const string CliArgs = "-19 --long=27 -T1";

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# size\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var corpus = Corpus.Load(options.CorpusDirectory);
        Console.WriteLine($"- corpus: {corpus.Directory}: {corpus.Records.Count} records in {corpus.Files.Count} files, {Fmt.Bytes(corpus.RawBytes)} record bytes ({Fmt.Bytes(corpus.FileBytes)} file bytes)");
        Console.WriteLine($"- work folder: {options.WorkDirectory}\n");
        if (!ZstdBaseline.CliAvailable)
        {
            Console.WriteLine($"**{ZstdBaseline.CliPath} is not installed: there is no baseline to compare with.**");
            return 1;
        }

        // Baseline: all corpus data files concatenated, and each folder's files concatenated.
        var concat = Path.Combine(options.WorkDirectory, "corpus.bin");
        WriteConcatenation(concat, corpus.Files);
        var (baseline, baselineTime) = ZstdBaseline.CliCompressedSize(concat, CliArgs);
        var perFolderBaseline = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var folder in corpus.Folders)
        {
            var file = Path.Combine(options.WorkDirectory, folder + ".bin");
            WriteConcatenation(file, corpus.Files.Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == folder));
            perFolderBaseline[folder] = ZstdBaseline.CliCompressedSize(file, CliArgs).Bytes;
            File.Delete(file);
        }

        var variants = new List<IngestSettings>
        {
            new("level 3", o => o with { CompressionLevel = 3 }),
            new("level 9 (default)"),
            new("level 19", o => o with { CompressionLevel = 19 }),
            new("level 19, dictionary after 16 commits", o => o with { CompressionLevel = 19, DictionaryTrainingCommits = 16 }),
            new("level 9, dictionary after 16 commits", o => o with { DictionaryTrainingCommits = 16 }),
            new("level 9, dictionary after 128 commits", o => o with { DictionaryTrainingCommits = 128 }),
            new("level 9, 32 KiB dictionary", o => o with { DictionarySize = 32 << 10 }),
            new("level 19, 32 KiB dictionary", o => o with { CompressionLevel = 19, DictionarySize = 32 << 10 }),
            new("level 9, no dictionary", o => o with { DictionaryTrainingCommits = int.MaxValue }),
            new("level 9, raw only (no stand-in node)", IncludeNode: false),
            new("level 19, raw only (no stand-in node)", o => o with { CompressionLevel = 19 }, IncludeNode: false),
            new("level 9, 16 records per commit", RecordsPerCommit: 16),
            new("level 19, 16 records per commit", o => o with { CompressionLevel = 19 }, RecordsPerCommit: 16),
        };

        var results = new List<IngestResult>();
        var table = new MarkdownTable("Archive run", "Commits:", "Stored bytes:", "Segments:", "External blobs:", "Dictionaries:", "Index bytes:", "Stored ÷ zstd -19 --long=27:", "Target ≤ 1 met?", "Ingest s:");
        foreach (var (v, i) in variants.Select((v, i) => (v, i)))
        {
            var r = CorpusIngest.Run(corpus.Records, v, Path.Combine(options.WorkDirectory, $"size-{i}"));
            results.Add(r);
            var ratio = (double)r.Stats.StoredBytes / baseline;
            table.Add(v.Label, Fmt.Int(r.Commits), Fmt.Bytes(r.Stats.StoredBytes), Fmt.Bytes(r.Stats.SegmentBytes), Fmt.Bytes(r.Stats.ExternalBlobBytes), Fmt.Int(r.Stats.Dictionaries),
                Fmt.Bytes(r.Stats.IndexBytes), Fmt.Ratio(ratio), ratio <= 1 ? "yes" : $"no (+{Fmt.Percent(ratio - 1)})", Fmt.Seconds(r.Build + r.Commit));
            Program.TryDelete(r.ArchiveDirectory);
        }

        var baselines = new MarkdownTable("Baseline", "Input bytes:", "Output bytes:", "Ratio:", "Seconds:");
        baselines.Add($"`zstd {CliArgs}` of the {corpus.Files.Count} corpus files concatenated", Fmt.Bytes(corpus.FileBytes), Fmt.Bytes(baseline),
            Fmt.Ratio((double)baseline / corpus.FileBytes), Fmt.Seconds(baselineTime));
        Console.WriteLine($"## Baseline\n\n{baselines}");
        Console.WriteLine($"## Archive stored bytes (segments + external blob files; index not included)\n\n{table}");

        var byFolder = new MarkdownTable("Corpus folder", "Records:", "Raw bytes:", $"zstd {CliArgs} of its files:", "Archive, level 9:", "÷ zstd:", "Archive, level 19:", "÷ zstd:");
        var l9 = results[1];
        var l19 = results[2];
        foreach (var folder in corpus.Folders)
        {
            long Archive(IngestResult r) => r.FrameBytesByFolder.GetValueOrDefault(folder) + r.ExternalBytesByFolder.GetValueOrDefault(folder);
            var zb = perFolderBaseline[folder];
            byFolder.Add(folder, Fmt.Int(corpus.Records.Count(r => r.Folder == folder)), Fmt.Bytes(corpus.Records.Where(r => r.Folder == folder).Sum(r => (long)r.Bytes.Length)),
                Fmt.Bytes(zb), Fmt.Bytes(Archive(l9)), Fmt.Ratio((double)Archive(l9) / zb), Fmt.Bytes(Archive(l19)), Fmt.Ratio((double)Archive(l19) / zb));
        }

        long Overhead(IngestResult r) => r.Stats.SegmentBytes - r.FrameBytesByFolder.Values.Sum();
        byFolder.Add("segment headers + dictionary frames", "", "", "", Fmt.Bytes(Overhead(l9)), "", Fmt.Bytes(Overhead(l19)), "");
        byFolder.Add("sum of the per-folder zstd runs", "", "", Fmt.Bytes(perFolderBaseline.Values.Sum()), "", "", "", "");
        Console.WriteLine($"## Per corpus folder (commit frames + external blob files)\n\n{byFolder}");
        Console.WriteLine($"- load average at end (1/5/15 min): {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static void WriteConcatenation(string path, IEnumerable<string> files)
    {
        using var output = File.Create(path);
        foreach (var f in files)
        {
            using var input = File.OpenRead(f);
            input.CopyTo(output);
        }
    }
}
