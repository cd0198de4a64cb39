using System.Diagnostics;
using Amber.Import.Bag;
using Amber.Storage;
using Amber.Storage.Export;

namespace Amber.Benchmarks;

/// <summary>
/// <c>export</c>: an archive holding the corpus written as a bag (<see cref="BagExport"/>) and the bag imported into a new
/// archive (<see cref="BagImporter"/>), against <c>tar</c> + <c>zstd -3</c> of the archive folder and its extraction,
/// interleaved in the same run; and the bag's size against the archive's. Throughput is archive bytes per second.
/// </summary>
public static class ExportCommand
{
    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# export\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var files = Corpus.DataFiles(options.CorpusDirectory);
        var dir = Path.Combine(options.WorkDirectory, "archive");
        using var archive = CorpusArchive.Import(dir, files);

        archive.EnsureCheckpointAsync().GetAwaiter().GetResult();
        archive.GetStats(); // waits for the indexer, so the index is whole before the archive folder is measured
        var archiveBytes = Bytes(dir);
        var rounds = options.IntOption("--rounds", 3);
        var (tar, untar, export, import) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        long bagBytes = 0, tarBytes = 0;
        for (var i = 0; i < rounds; i++)
        {
            var round = Path.Combine(options.WorkDirectory, $"round{i}");
            Directory.CreateDirectory(round);
            var tarFile = Path.Combine(round, "archive.tar.zst");
            tar.Add(Time(() => LoadTools.Run("bash", $"-c \"tar -cf - -C '{dir}' --exclude=amber.lock . | zstd -3 -q -o '{tarFile}'\"")));
            tarBytes = new FileInfo(tarFile).Length;
            var restored = Path.Combine(round, "restored");
            Directory.CreateDirectory(restored);
            untar.Add(Time(() => LoadTools.Run("bash", $"-c \"zstd -dc -q '{tarFile}' | tar -xf - -C '{restored}'\"")));

            var bag = Path.Combine(round, "bag");
            export.Add(Time(() => BagExport.Write(archive, bag)));
            bagBytes = Bytes(bag);
            var rebuilt = Path.Combine(round, "rebuilt");
            import.Add(Time(() =>
            {
                using var target = Archive.Init(new ArchiveOptions { Directory = rebuilt });
                BagImporter.ImportAsync(target, bag).GetAwaiter().GetResult();
            }));
            Program.TryDelete(round);
        }

        Console.WriteLine($"- corpus: {files.Count} files; archive: {Fmt.Bytes(archiveBytes)} bytes, {archive.GetLastSequence()} commits; load average after: {MachineInfo.LoadAverage()}\n");
        var table = new MarkdownTable("Run", "Best s:", "Median s:", "archive MB/s (best):");
        Row(table, "baseline: `tar` + `zstd -3` of the archive folder", tar, archiveBytes);
        Row(table, "`BagExport.Write` (`amber export --bagit`)", export, archiveBytes);
        Row(table, "baseline: `zstd -d` + `tar -x` into a folder", untar, archiveBytes);
        Row(table, "`BagImporter.ImportAsync` into a new archive (`amber import BAG`)", import, archiveBytes);
        Console.WriteLine(table);
        Console.WriteLine($"Export speed ÷ tar+zstd speed (best of {rounds}): {Fmt.Ratio(tar.Min() / export.Min())}");
        Console.WriteLine($"Import speed ÷ unzstd+untar speed (best of {rounds}): {Fmt.Ratio(untar.Min() / import.Min())}");
        Console.WriteLine($"Bag size ÷ archive size: {Fmt.Ratio((double)bagBytes / archiveBytes)} ({Fmt.Bytes(bagBytes)} ÷ {Fmt.Bytes(archiveBytes)}); tar.zst ÷ archive: {Fmt.Ratio((double)tarBytes / archiveBytes)}\n");
        return 0;
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    private static void Row(MarkdownTable table, string name, List<double> seconds, long bytes)
        => table.Add(name, Fmt.Seconds(TimeSpan.FromSeconds(seconds.Min())), Fmt.Seconds(TimeSpan.FromSeconds(seconds.Order().ElementAt(seconds.Count / 2))), Fmt.Rate(bytes / 1e6 / seconds.Min()));

    private static long Bytes(string directory)
        => Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("amber.lock", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
}
