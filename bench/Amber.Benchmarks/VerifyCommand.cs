using System.Diagnostics;
using Amber.Storage;
using Amber.Storage.Verification;

namespace Amber.Benchmarks;

/// <summary>
/// <c>amber verify</c> of an archive holding the corpus against <c>sha256sum</c> over the same files (segments, blobs,
/// log and index), interleaved in the same run: fixity checks are only run if they run at disk speed. Each round times a
/// first verify (no <c>verify.memo</c>), the steady state (the memo the first wrote: fixity only) and <c>--full</c>, in
/// process and then as the CLI child (<c>./amber verify</c>; <c>--no-cli</c> leaves it out). <c>--phases</c>
/// also prints the wall time of each phase of the best round; <c>--compact</c> first compacts the archive as
/// <c>amber compact</c> does (level 19, commits merged into frames of a few MiB), so verify reads merged frames.
/// <c>--chatgpt-megabytes N</c> verifies one ChatGPT export of N MB (as <c>import-chatgpt</c>'s) instead of the corpus,
/// where a child's fixed costs weigh less; each child round also times <c>./amber --version</c>, the floor of any child.
/// </summary>
public static class VerifyCommand
{
    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# verify\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var files = Corpus.DataFiles(options.CorpusDirectory);
        if (options.IntOption("--chatgpt-megabytes", 0) is > 0 and var megabytes)
        {
            // A larger archive, where a process's fixed costs weigh less: one ChatGPT export of that size (as import-chatgpt's).
            var export = Path.Combine(options.WorkDirectory, "export", "conversations.json");
            Directory.CreateDirectory(Path.GetDirectoryName(export)!);
            ChatGptReplica.Write(ChatGptReplica.SourceFiles(options.CorpusDirectory), export, megabytes * 1_000_000L);
            files = [export];
        }

        var dir = Path.Combine(options.WorkDirectory, "archive");
        var archive = CorpusArchive.Import(dir, files);

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
        var memo = Path.Combine(dir, VerifyMemo.FileName);
        archiveFiles.RemoveAll(f => f == memo);
        // Until the index's WAL is settled (the first verify after an import copies it into index.db), a second verify
        // audits the index again; the rounds measure the settled archive, the scrub case.
        var settling = 1;
        while (ArchiveVerifier.Verify(archive).DeepChecked.Count > 0 && settling < 4)
        {
            settling++;
        }

        Console.WriteLine($"- verifies until one deep-checked nothing (the index settled after the import): {settling}\n");
        var sha = new List<double>();
        var first = new List<double>();
        var steady = new List<double>();
        var full = new List<double>();
        VerifyReport? best = null;
        for (var i = 0; i < rounds; i++)
        {
            // The same bytes each way: sha256sum of every file; verify with no memo (the first verify of an archive); with
            // the memo the first wrote (the scrub case: fixity of every byte, deep checks skipped); and --full.
            sha.Add(Sha256Sum(archiveFiles).TotalSeconds);
            File.Delete(memo);
            var (t, report) = Timed(() => ArchiveVerifier.Verify(archive));
            first.Add(t);
            if (!report.Ok)
            {
                Console.Error.WriteLine(string.Join("\n", report.Faults));
                return 1;
            }

            if (first[^1] <= first.Min())
            {
                best = report;
            }

            (t, report) = Timed(() => ArchiveVerifier.Verify(archive));
            steady.Add(t);
            if (!report.Ok)
            {
                Console.Error.WriteLine(string.Join("\n", report.Faults));
                return 1;
            }

            if (report.DeepChecked.Count > 0)
            {
                Console.WriteLine($"- round {i + 1}: the steady-state verify deep-checked {string.Join(", ", report.DeepChecked)}");
            }

            (t, _) = Timed(() => ArchiveVerifier.Verify(archive, [], null, full: true));
            full.Add(t);
        }

        var load = MachineInfo.LoadAverage();
        var table = new MarkdownTable("Run (in process)", "Best s:", "Median s:", "MB/s (best):", "sha256sum ÷ this (best; target ≥ 0.25):");
        table.Add("baseline: `sha256sum` of every archive file", Fmt.Seconds(TimeSpan.FromSeconds(sha.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(sha))), Fmt.Rate(bytes / 1e6 / sha.Min()), "1");
        foreach (var (name, xs) in new[] { ("`ArchiveVerifier.Verify`, first (no memo: every deep check)", first), ("`ArchiveVerifier.Verify`, steady state (memo: fixity only)", steady), ("`ArchiveVerifier.Verify(full: true)` (`--full`)", full) })
        {
            table.Add(name, Fmt.Seconds(TimeSpan.FromSeconds(xs.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(xs))), Fmt.Rate(bytes / 1e6 / xs.Min()), Fmt.Ratio(sha.Min() / xs.Min()));
        }

        Console.WriteLine(table);
        Console.WriteLine($"- load average after the in-process rounds (1/5/15 min): {load}\n");
        if (options.Rest.Contains("--phases"))
        {
            // Wall time of each phase of the best first (no memo) round; the index audit runs on its own thread beside the segment scan.
            var phases = new MarkdownTable("Phase of the best first round", "Wall ms:");
            foreach (var (phase, wall) in best!.Phases)
            {
                phases.Add(phase, wall.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture));
            }

            Console.WriteLine(phases);
        }

        archive.Dispose(); // the child opens it only to verify it (read-only; it writes the memo and nothing else)
        if (options.Repository is not { } repo || options.Flag("--no-cli"))
        {
            return 0;
        }

        var cli = Path.Combine(repo, "amber");
        Run(cli, "--version"); // builds the CLI if its sources changed: not timed
        var (childSha, childFirst, childSteady, childFull) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var childStart = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            childSha.Add(Sha256Sum(archiveFiles).TotalSeconds);
            childStart.Add(Run(cli, "--version")); // the floor of any child: the runtime starts, the host, the command line
            File.Delete(memo);
            childFirst.Add(Run(cli, "verify", "--archive", dir, "--quiet"));
            childSteady.Add(Run(cli, "verify", "--archive", dir, "--quiet"));
            childFull.Add(Run(cli, "verify", "--archive", dir, "--quiet", "--full"));
        }

        load = MachineInfo.LoadAverage();
        var child = new MarkdownTable("Run (child process, start to exit)", "Best s:", "Median s:", "MB/s (best):", "sha256sum ÷ this (best; target ≥ 0.25):");
        child.Add("baseline: `sha256sum` of every archive file", Fmt.Seconds(TimeSpan.FromSeconds(childSha.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(childSha))), Fmt.Rate(bytes / 1e6 / childSha.Min()), "1");
        child.Add("floor: `./amber --version` (process start and exit, no archive)", Fmt.Seconds(TimeSpan.FromSeconds(childStart.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(childStart))), "-", Fmt.Ratio(childSha.Min() / childStart.Min()));
        foreach (var (name, xs) in new[] { ("`./amber verify`, first (no memo)", childFirst), ("`./amber verify`, steady state (memo)", childSteady), ("`./amber verify --full`", childFull) })
        {
            child.Add(name, Fmt.Seconds(TimeSpan.FromSeconds(xs.Min())), Fmt.Seconds(TimeSpan.FromSeconds(Median(xs))), Fmt.Rate(bytes / 1e6 / xs.Min()), Fmt.Ratio(childSha.Min() / xs.Min()));
        }

        Console.WriteLine(child);
        Console.WriteLine($"- load average after the child rounds (1/5/15 min): {load}\n");
        if (options.Flag("--phases"))
        {
            // One more steady-state child, with its own breakdown (amber verify --phases, on stderr).
            var (_, phases) = RunCapturing(cli, "verify", "--archive", dir, "--quiet", "--phases");
            Console.WriteLine("Steady-state child, `./amber verify --phases`:\n\n```\n" + phases.TrimEnd() + "\n```\n");
        }

        return 0;
    }

    private static (double Seconds, VerifyReport Report) Timed(Func<VerifyReport> verify)
    {
        var sw = Stopwatch.StartNew();
        var report = verify();
        return (sw.Elapsed.TotalSeconds, report);
    }

    /// <summary>Runs a command to its exit (which must be 0); its wall time in seconds.</summary>
    private static double Run(string program, params string[] args) => RunCapturing(program, args).Seconds;

    /// <summary>Runs a command to its exit (which must be 0); its wall time in seconds and its stderr.</summary>
    private static (double Seconds, string Error) RunCapturing(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var seconds = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {p.ExitCode}: {err.Result}");
        }

        return (seconds, err.Result);
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static TimeSpan Sha256Sum(List<string> files)
    {
        var psi = new ProcessStartInfo("sha256sum") { RedirectStandardOutput = true, UseShellExecute = false };
        // The files there now: SQLite's -wal/-shm come and go with the connections verify opens (a missing one is an error line, not bytes).
        foreach (var f in files.Where(File.Exists))
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
