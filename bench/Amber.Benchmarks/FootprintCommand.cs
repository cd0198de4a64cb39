using System.Diagnostics;
using System.Globalization;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// What the corpus costs on disk, per writer setting, against <c>zstd -19 --long=27 -T1</c> and <c>zstd -3 -T1</c> of the
/// concatenated files in the same run: segments, blob files, log, index, and the time to read the largest
/// conversation back cold (a fresh open, its first read) and warm. Settings: <c>--runs</c>
/// <c>plain:9:98304,packed:9:98304,packed:3:524288:19,…</c> (frames plain or packed, zstd level, ImportOptions.PackBytes,
/// and optionally a level to compact the archive at after the import, segment.md §14: "import fast, compact later", and
/// the decoded bytes of the merged frames it writes, Archive.DefaultMergeBytes unless given, 0 for no merging). <c>--tables</c>
/// also prints each run's index.db by table (dbstat), so the total and where the index's bytes sit come from one run.
/// </summary>
public static class FootprintCommand
{
    private const string DefaultRuns = "plain:9:98304,packed:9:98304,packed:19:98304,packed:9:262144,packed:19:262144,packed:19:524288";

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# footprint\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var (files, concat, rawBytes) = Corpus.ConcatenatedDataFiles(options);
        Console.WriteLine($"- corpus: {files.Count} files, {Fmt.Bytes(rawBytes)} bytes\n");
        if (!ZstdBaseline.CliAvailable)
        {
            Console.Error.WriteLine($"{ZstdBaseline.CliPath} is needed for the baselines.");
            return 1;
        }

        var (zstd19, _) = ZstdBaseline.CliCompressedSize(concat, "-19 --long=27 -T1");
        var (zstd3, _) = ZstdBaseline.CliCompressedSize(concat, "-3 -T1");
        var table = new MarkdownTable("Run", "Segments:", "÷ zstd-19:", "Blob files:", "Log:", "Index:", "Total ÷ raw:", "Largest cold ms:", "Largest warm ms:");
        table.Add("baseline: `zstd -19 --long=27 -T1`", Fmt.Bytes(zstd19), "1.000", "-", "-", "-", Fmt.Ratio((double)zstd19 / rawBytes), "-", "-");
        table.Add("baseline: `zstd -3 -T1`", Fmt.Bytes(zstd3), Fmt.Ratio((double)zstd3 / zstd19), "-", "-", "-", Fmt.Ratio((double)zstd3 / rawBytes), "-", "-");
        var tables = new List<(string Run, string Index)>();
        foreach (var run in (options.Option("--runs") ?? DefaultRuns).Split(','))
        {
            var parts = run.Split(':');
            var packed = parts[0] == "packed";
            var level = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var packBytes = int.Parse(parts[2], CultureInfo.InvariantCulture);
            int? compactAt = parts.Length > 3 ? int.Parse(parts[3], CultureInfo.InvariantCulture) : null;
            var mergeBytes = parts.Length > 4 ? int.Parse(parts[4], CultureInfo.InvariantCulture) : Archive.DefaultMergeBytes;
            var dir = Path.Combine(options.WorkDirectory, $"footprint-{run.Replace(':', '-')}");
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }

            string largest;
            double? compactSeconds = null;
            using (var archive = Archive.Init(new ArchiveOptions { Directory = dir, CompressionLevel = level, PackFrames = packed }))
            {
                var summary = new Importer(archive, FormatRegistry.All, new ImportOptions { PackBytes = packBytes }).Run(files);
                if (!summary.Ok)
                {
                    Console.Error.WriteLine(string.Join("\n", summary.Errors));
                    return 1;
                }

                if (compactAt is { } compactLevel)
                {
                    var sw = Stopwatch.StartNew();
                    var report = archive.Compact(compactLevel, sealActiveFrom: 1, mergeBytes: mergeBytes);
                    compactSeconds = sw.Elapsed.TotalSeconds;
                    Console.WriteLine($"- run {run}: compacted {report.SegmentsRewritten} segment(s) at level {compactLevel}, {report.BytesBefore:N0} → {report.BytesAfter:N0} bytes in {compactSeconds:F2} s\n");
                }

                largest = Largest(archive);
            }

            var (cold, warm) = ReadLargest(dir, largest);
            if (options.Flag("--tables"))
            {
                var copy = Path.Combine(options.WorkDirectory, $"footprint-{run.Replace(':', '-')}.index.db");
                File.Copy(Path.Combine(dir, "index.db"), copy, overwrite: true);
                tables.Add((run, copy));
            }

            var segments = Bytes(Path.Combine(dir, "segments"));
            var total = Bytes(dir);
            table.Add(
                $"{(packed ? "packed (codec 3/4)" : "plain (codec 1/2)")}, level {level}, pack {packBytes / 1024} KiB{(compactAt is { } c ? $", then compacted at {c}{(mergeBytes > 0 ? $", merged into {mergeBytes / 1024} KiB frames" : ", not merged")}" : "")}",
                Fmt.Bytes(segments),
                Fmt.Ratio((double)segments / zstd19),
                Fmt.Bytes(Bytes(Path.Combine(dir, "blobs"))),
                Fmt.Bytes(Bytes(Path.Combine(dir, "log"))),
                Fmt.Bytes(Directory.EnumerateFiles(dir, "index.db*").Sum(f => new FileInfo(f).Length)),
                Fmt.Ratio((double)total / rawBytes),
                Fmt.Ms(cold),
                Fmt.Ms(warm));
            if (!options.Keep)
            {
                Directory.Delete(dir, true);
            }
        }

        Console.WriteLine(table);
        foreach (var (run, index) in tables)
        {
            Console.WriteLine($"\n### index.db of run {run} by table (dbstat)\n");
            SearchCommand.PrintTables(index);
            File.Delete(index);
        }

        Console.WriteLine($"Total is every file of the archive (segments, blobs, log keys, index). Largest conversation: the one with the most nodes; cold is best of 5 fresh read-only opens, warm best of 20 on one open.\n");
        return 0;
    }

    private static string Largest(Archive archive)
    {
        var ids = new List<string>();
        (string Created, string Id)? before = null;
        while (archive.ListConversations(500, null, before) is { Count: > 0 } page)
        {
            ids.AddRange(page.Select(c => c.Id));
            before = (page[^1].Created, page[^1].Id);
        }

        return ids.MaxBy(id => archive.GetSummary(id)!.Nodes)!;
    }

    private static (double Cold, double Warm) ReadLargest(string dir, string id)
    {
        var cold = double.MaxValue;
        var warm = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            using var archive = Archive.Open(new ArchiveOptions { Directory = dir, ReadOnly = true });
            var sw = Stopwatch.StartNew();
            _ = archive.GetConversation(id) ?? throw new InvalidOperationException($"{id} does not read back.");
            cold = Math.Min(cold, sw.Elapsed.TotalMilliseconds);
            if (i == 4)
            {
                for (var j = 0; j < 20; j++)
                {
                    sw.Restart();
                    _ = archive.GetConversation(id);
                    warm = Math.Min(warm, sw.Elapsed.TotalMilliseconds);
                }
            }
        }

        return (cold, warm);
    }

    private static long Bytes(string dir) => Directory.Exists(dir)
        ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
        : 0;
}
