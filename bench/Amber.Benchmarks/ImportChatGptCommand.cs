using System.Diagnostics;
using System.Globalization;
using Amber.Core.Hashing;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Import.Formats.ChatGpt;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// Issue 22: a ChatGPT export of about 105 MB (<c>--megabytes N</c>) of distinct conversations, made from the
/// corpus's real ones (<see cref="ChatGptReplica"/>), imported end to end and searchable when the import returns,
/// against single-core <c>zstd -3</c> on the same file in the same run. Runs <c>amber import</c> in a child process
/// (wall time and peak RSS from <c>/usr/bin/time</c>) when the repository's <c>amber</c> script is there, then the
/// same import in this process for the breakdown: the parse alone, canonical JSON and SHA-256 alone, and the CPU
/// time of each thread of the real import (the importer's, the archive's writer, its indexer, the GC).
/// </summary>
public static class ImportChatGptCommand
{
    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# import-chatgpt\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var sources = ChatGptReplica.SourceFiles(options.CorpusDirectory);
        var folder = Path.Combine(options.WorkDirectory, "export");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "conversations.json");
        var conversations = ChatGptReplica.Write(sources, file, options.IntOption("--megabytes", 105) * 1_000_000L);
        var bytes = new FileInfo(file).Length;
        Console.WriteLine($"- input: {Fmt.Bytes(bytes)} bytes, {conversations:N0} conversations, copied with fresh ids from {string.Join(", ", sources.Select(s => Path.GetFileName(Path.GetDirectoryName(s))))}\n");

        var table = new MarkdownTable("Run", "Seconds:", "MB/s:", "÷ zstd -3 (target ≥ 0.1):", "Peak RSS (target ≤ 512 MB):");
        double? zstd3 = null;
        if (ZstdBaseline.CliAvailable)
        {
            var t = ZstdBaseline.CliCompressTime(file, "-3 -T1", 3);
            zstd3 = bytes / 1e6 / t.TotalSeconds;
            table.Add("baseline: `zstd -3 -T1` (CLI, best of 3)", Fmt.Seconds(t), Fmt.Rate(zstd3.Value), "1.000", "-");
        }

        if (options.Option("--runtime-settings") is not null)
        {
            // Only the child under each setting: the in-process breakdown below runs under the bench's own settings.
            Console.WriteLine(table);
            var script = options.Repository is { } root ? Path.Combine(root, "amber") : null;
            return script is not null && File.Exists(script) && File.Exists("/usr/bin/time")
                ? RuntimeSettingsImport.Run(options, script, file, zstd3)
                : throw new ArgumentException("--runtime-settings needs the repository's amber script and /usr/bin/time");
        }

        if (options.Option("--levels") is { } levels)
        {
            // Only the in-process import at each writer level, then compacted: "write fast, compact later" (BENCHMARKS §24).
            Console.WriteLine(table);
            ImportLevels.Run(options, file, zstd3, levels);
            return 0;
        }

        string Ratio(TimeSpan t) => zstd3 is { } z ? Fmt.Ratio(bytes / 1e6 / t.TotalSeconds / z) : "-";

        if (Child(options, file) is { } child)
        {
            table.Add("`amber import` (child process, `/usr/bin/time`)", Fmt.Seconds(child.Elapsed), Fmt.MBps(bytes, child.Elapsed), Ratio(child.Elapsed), Fmt.Bytes(child.PeakRss));
        }

        // The same import in this process, for the breakdown by thread. --commit-bytes-in-flight N sets the importer's
        // window of commits in flight (the child always runs the default), to compare a setting's peak RSS in one run.
        var importOptions = new ImportOptions();
        if (options.Option("--commit-bytes-in-flight") is { } window)
        {
            importOptions = importOptions with { CommitBytesInFlight = long.Parse(window, CultureInfo.InvariantCulture) };
            Console.WriteLine($"- in process: commit bytes in flight {importOptions.CommitBytesInFlight:N0}\n");
        }

        GC.Collect();
        var reset = ProcessMemory.ResetPeak();
        var dir = Path.Combine(options.WorkDirectory, "archive-in-process");
        var gc = new GcSampler();
        var before = ThreadTimes.Snapshot();
        var sw = Stopwatch.StartNew();
        var archive = Archive.Init(new ArchiveOptions { Directory = dir });
        var summary = new Importer(archive, FormatRegistry.All, importOptions).Run([file]);
        var imported = sw.Elapsed;
        var hits = archive.Search("the", 1).Count; // waits for the index to catch up: searchable from here
        var searchable = sw.Elapsed;
        var threads = ThreadTimes.Since(before, ThreadTimes.Snapshot());
        archive.Dispose();
        var closed = sw.Elapsed;
        var peak = ProcessMemory.PeakRss();
        gc.Dispose();
        if (!summary.Ok || hits == 0)
        {
            Console.Error.WriteLine(summary.Ok ? "the import is not searchable" : string.Join("\n", summary.Errors));
            return 1;
        }

        table.Add("in process: `Importer.Run` returned (commits acknowledged)", Fmt.Seconds(imported), Fmt.MBps(bytes, imported), Ratio(imported), "-");
        table.Add("in process: searchable (index caught up)", Fmt.Seconds(searchable), Fmt.MBps(bytes, searchable), Ratio(searchable), "-");
        table.Add("in process: archive closed", Fmt.Seconds(closed), Fmt.MBps(bytes, closed), Ratio(closed), reset ? Fmt.Bytes(peak) : "-");
        Console.WriteLine(table);
        Console.WriteLine($"{summary.Conversations:N0} conversations, {summary.Nodes:N0} nodes ({summary.NewNodes:N0} new).\n");
        Console.WriteLine($"- in process, the GC's view (sampled every 20 ms): managed heap at most {Fmt.Bytes(gc.PeakHeap)} B (garbage included), at most {Fmt.Bytes(gc.PeakAfterCollection)} B right after a collection, {Fmt.Bytes(gc.PeakCommitted)} B committed at most; {gc.Gen2Collections} gen2 collections\n");

        // CPU seconds by thread over the in-process import until searchable (several threads may run at once on 2 cores).
        var cpu = new MarkdownTable("Thread (in-process import, until searchable)", "CPU seconds:", "× zstd -3 time:");
        var zstdSeconds = zstd3 is { } z3 ? bytes / 1e6 / z3 : double.NaN;
        foreach (var (name, seconds) in threads.Where(kv => kv.Value >= 0.01).OrderByDescending(kv => kv.Value))
        {
            cpu.Add(name, seconds.ToString("F2", CultureInfo.InvariantCulture), Fmt.Ratio(seconds / zstdSeconds));
        }

        cpu.Add("wall time until searchable", Fmt.Seconds(searchable), Fmt.Ratio(searchable.TotalSeconds / zstdSeconds));
        Console.WriteLine(cpu);

        // The importer's own work, alone: read + parse + normalize, then canonical JSON and SHA-256 of every node once.
        var phases = ParseAlone(file);
        var parts = new MarkdownTable("Importer work alone (one pass, no archive)", "Seconds:", "× zstd -3 time:");
        parts.Add("read + parse + normalize (`ChatGptFormat.Read`)", Fmt.Seconds(phases.Parse), Fmt.Ratio(phases.Parse.TotalSeconds / zstdSeconds));
        parts.Add($"canonical JSON of every node ({phases.Nodes:N0})", Fmt.Seconds(phases.Canonical), Fmt.Ratio(phases.Canonical.TotalSeconds / zstdSeconds));
        parts.Add("SHA-256 of every node's canonical JSON", Fmt.Seconds(phases.Hash), Fmt.Ratio(phases.Hash.TotalSeconds / zstdSeconds));
        Console.WriteLine(parts);
        return 0;
    }

    /// <summary><c>amber import</c> of <paramref name="file"/> into a fresh archive, timed by <c>/usr/bin/time</c>; null without the script or the tool.</summary>
    private static (TimeSpan Elapsed, long PeakRss)? Child(BenchOptions options, string file)
    {
        var amber = options.Repository is { } repo ? Path.Combine(repo, "amber") : null;
        if (amber is null || !File.Exists(amber) || !File.Exists("/usr/bin/time") || options.Rest.Contains("--no-child"))
        {
            Console.WriteLine("- child `amber import` skipped (no repository `amber` script, no /usr/bin/time, or --no-child)\n");
            return null;
        }

        RunChild(amber, ["--version"], null); // builds the CLI if its sources changed, untimed
        var timing = Path.Combine(options.WorkDirectory, "time.txt");
        var output = RunChild("/usr/bin/time", ["-o", timing, "-f", "%e %M", amber, "import", "--archive", Path.Combine(options.WorkDirectory, "archive-child"), file], null);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.Contains("conversations", StringComparison.Ordinal));
        Console.WriteLine($"- `amber import` said: {last}\n");
        var fields = File.ReadAllText(timing).Trim().Split('\n')[^1].Split(' ');
        return (TimeSpan.FromSeconds(double.Parse(fields[0], CultureInfo.InvariantCulture)), long.Parse(fields[1], CultureInfo.InvariantCulture) * 1024);
    }

    private static string RunChild(string program, IReadOnlyList<string> args, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {p.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }

    private static (TimeSpan Parse, TimeSpan Canonical, TimeSpan Hash, int Nodes) ParseAlone(string file)
    {
        var input = Amber.Import.Sources.ImportSources.FileInput(file);
        long canonical = 0, hash = 0;
        var nodes = 0;
        var total = Stopwatch.StartNew();
        foreach (var c in new ChatGptFormat().Read(input, CancellationToken.None))
        {
            foreach (var n in c.Nodes)
            {
                var t0 = Stopwatch.GetTimestamp();
                var b = n.ToCanonicalBytes();
                var t1 = Stopwatch.GetTimestamp();
                _ = ContentId.Of(b);
                hash += Stopwatch.GetTimestamp() - t1;
                canonical += t1 - t0;
                nodes++;
            }
        }

        var all = total.Elapsed;
        var c2 = Stopwatch.GetElapsedTime(0, canonical);
        var h2 = Stopwatch.GetElapsedTime(0, hash);
        return (all - c2 - h2, c2, h2, nodes);
    }
}
