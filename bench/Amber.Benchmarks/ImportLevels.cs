using System.Diagnostics;
using System.Globalization;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// <c>import-chatgpt --levels 1,3,9 [--compact]</c>: the same in-process import at each writer zstd level, each until
/// searchable, and with <c>--compact</c> the archive then compacted at level 19 (segment.md §14), so "write fast,
/// compact later" is measured in one run against the same <c>zstd -3</c> baseline: import time, peak RSS, segment bytes
/// before and after the compaction. The CPU seconds of the archive's writer thread (where the zstd level is paid) and of
/// the whole process over each import tell the levels apart where the wall time, on a shared machine, cannot.
/// </summary>
public static class ImportLevels
{
    public static void Run(BenchOptions options, string file, double? zstd3, string levels)
    {
        var bytes = new FileInfo(file).Length;
        var table = new MarkdownTable("Writer level", "Seconds until searchable:", "÷ zstd -3 (target ≥ 0.1):", "Writer CPU s:", "Process CPU s:", "Peak RSS:", "Heap after GC, max:", "Segments:", "Compact at 19, seconds:", "Segments after:");
        foreach (var level in levels.Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture)))
        {
            GC.Collect();
            var reset = ProcessMemory.ResetPeak();
            var dir = Path.Combine(options.WorkDirectory, $"archive-level-{level}");
            using var gc = new GcSampler();
            var threadsBefore = ThreadTimes.Snapshot();
            var cpuBefore = ThreadTimes.ProcessSeconds(Environment.ProcessId);
            var sw = Stopwatch.StartNew();
            using var archive = Archive.Init(new ArchiveOptions { Directory = dir, CompressionLevel = level });
            var summary = new Importer(archive, FormatRegistry.All, new ImportOptions()).Run([file]);
            if (!summary.Ok || archive.Search("the", 1).Count == 0)
            {
                throw new InvalidOperationException($"level {level}: the import failed or is not searchable: {string.Join("; ", summary.Errors)}");
            }

            var searchable = sw.Elapsed;
            var cpu = ThreadTimes.ProcessSeconds(Environment.ProcessId) - cpuBefore;
            var writer = ThreadTimes.Since(threadsBefore, ThreadTimes.Snapshot()).Where(kv => kv.Key.StartsWith(WriterThread, StringComparison.Ordinal)).Sum(kv => kv.Value);
            var peak = reset ? Fmt.Bytes(ProcessMemory.PeakRss()) : "-";
            var segments = SegmentBytes(dir);
            sw.Restart();
            var compacted = options.Flag("--compact") ? archive.Compact(19, sealActiveFrom: 1) : null;
            var compact = sw.Elapsed;
            table.Add(
                Fmt.Int(level),
                Fmt.Seconds(searchable),
                zstd3 is { } z ? Fmt.Ratio(bytes / 1e6 / searchable.TotalSeconds / z) : "-",
                writer.ToString("F2", CultureInfo.InvariantCulture),
                cpu.ToString("F2", CultureInfo.InvariantCulture),
                peak,
                Fmt.Bytes(gc.PeakAfterCollection),
                Fmt.Bytes(segments),
                compacted is null ? "-" : Fmt.Seconds(compact),
                compacted is null ? "-" : Fmt.Bytes(SegmentBytes(dir)));
            archive.Dispose();
            Directory.Delete(dir, true);
        }

        Console.WriteLine(table);
    }

    /// <summary>The archive's commit writer runs as a long-running task, whose thread the runtime names ".NET Long Running Task" (/proc keeps 15 characters).</summary>
    private const string WriterThread = ".NET Long Run";

    private static long SegmentBytes(string dir) => Directory.EnumerateFiles(Path.Combine(dir, "segments")).Sum(f => new FileInfo(f).Length);
}
