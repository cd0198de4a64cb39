using System.Diagnostics;
using Amber.Storage;
using Amber.Storage.Verification;

namespace Amber.Benchmarks;

/// <summary>
/// <c>amber verify</c> of an archive holding the corpus against <c>sha256sum</c> over the same files (segments, blobs,
/// log and index), interleaved in the same run: fixity checks are only run if they run at disk speed. <c>--phases</c>
/// also prints the wall time of each phase of the best round; <c>--compact</c> first compacts the archive as
/// <c>amber compact</c> does (level 19, commits merged into frames of a few MiB), so verify reads merged frames.
/// </summary>
public static class VerifyCommand
{
    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# verify\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var files = Corpus.DataFiles(options.CorpusDirectory);
        var dir = Path.Combine(options.WorkDirectory, "archive");
        using var archive = CorpusArchive.Import(dir, files);

        if (options.Flag("--compact"))
        {
            var compacted = archive.Compact(Archive.DefaultCompactionLevel, sealActiveFrom: 1);
            Console.WriteLine($"- compacted {compacted.SegmentsRewritten} segment(s): {compacted.BytesBefore:N0} → {compacted.BytesAfter:N0} bytes\n");
        }

        archive.EnsureCheckpointAsync().GetAwaiter().GetResult();
        var archiveFiles = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("amber.lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var bytes = archiveFiles.Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"- corpus: {files.Count} files; archive: {archiveFiles.Count} files, {Fmt.Bytes(bytes)}\n");

        var rounds = options.IntOption("--rounds", 3);
        var sha = new List<double>();
        var verify = new List<double>();
        VerifyReport? best = null;
        for (var i = 0; i < rounds; i++)
        {
            sha.Add(Sha256Sum(archiveFiles).TotalSeconds);
            var sw = Stopwatch.StartNew();
            var report = ArchiveVerifier.Verify(archive);
            verify.Add(sw.Elapsed.TotalSeconds);
            if (!report.Ok)
            {
                Console.Error.WriteLine(string.Join("\n", report.Faults));
                return 1;
            }

            if (verify[^1] <= verify.Min())
            {
                best = report;
            }
        }

        var table = new MarkdownTable("Run", "Best s:", "Median s:", "MB/s (best):");
        table.Add("baseline: `sha256sum` of every archive file", Fmt.Seconds(TimeSpan.FromSeconds(sha.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(sha))), Fmt.Rate(bytes / 1e6 / sha.Min()));
        table.Add("`ArchiveVerifier.Verify` (every check of `amber verify`)", Fmt.Seconds(TimeSpan.FromSeconds(verify.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(verify))), Fmt.Rate(bytes / 1e6 / verify.Min()));
        Console.WriteLine(table);
        Console.WriteLine($"Verify speed ÷ sha256sum speed (best of {rounds}, target ≥ 0.25): {Fmt.Ratio(sha.Min() / verify.Min())}\n");
        if (options.Rest.Contains("--phases"))
        {
            // Wall time of each phase of the best round; the index audit runs on its own thread beside the segment scan.
            var phases = new MarkdownTable("Phase of the best round", "Wall ms:");
            foreach (var (phase, wall) in best!.Phases)
            {
                phases.Add(phase, wall.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture));
            }

            Console.WriteLine(phases);
        }

        return 0;
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static TimeSpan Sha256Sum(List<string> files)
    {
        var psi = new ProcessStartInfo("sha256sum") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var f in files)
        {
            psi.ArgumentList.Add(f);
        }

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return sw.Elapsed;
    }
}
