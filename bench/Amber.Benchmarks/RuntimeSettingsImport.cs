using System.Diagnostics;
using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>
/// <c>import-chatgpt --runtime-settings default,tieredpgo-off,… [--rounds N]</c>: the child <c>amber import</c> of the
/// same file under each runtime setting (<see cref="RuntimeSetting"/>), the settings alternating within each round and
/// the order rotated from round to round, so that a change in the machine's load falls on all of them alike. Each run
/// imports into a fresh archive and is timed by <c>/usr/bin/time</c>: wall, user + sys CPU and peak RSS. With
/// <c>--before DLL</c> (another build of the CLI, e.g. a copy of <c>artifacts/cli</c> from before a change) each setting
/// also runs as <c>dotnet DLL</c>, named "SETTING, before", alternating with this build's in every round.
/// </summary>
public static class RuntimeSettingsImport
{
    public static int Run(BenchOptions options, string amber, string file, double? zstd3MBps)
    {
        var before = options.Option("--before") is { } dll ? Path.GetFullPath(dll) : null;
        if (before is not null && !File.Exists(before))
        {
            throw new ArgumentException($"--before {before}: no such file (the amber.dll of the build to compare with)");
        }

        var settings = RuntimeSetting.Parse(options.Option("--runtime-settings") ?? "default");
        var runsOf = settings.Select(s => (Name: s.Name, Setting: s, Program: (string[])[amber]))
            .Concat(before is null ? [] : settings.Select(s => (Name: s.Name + ", before", Setting: s, Program: (string[])["dotnet", before])))
            .ToList();
        var rounds = options.IntOption("--rounds", 3);
        var bytes = new FileInfo(file).Length;
        Run(amber, ["--version"], null, options.WorkDirectory); // builds the CLI if its sources changed, untimed
        Console.WriteLine($"- runtime settings: {string.Join("; ", settings.Select(s => $"`{s.Name}` = {s.Describe()}"))}; {rounds} rounds, the order rotated each round\n");
        if (before is not null)
        {
            Console.WriteLine($"- \"before\": `dotnet {before}`; the others: `{amber}`\n");
        }


        var runs = new MarkdownTable("Round", "Setting", "Wall s:", "User + sys CPU s:", "Peak RSS B:", "Load (1 min) before");
        var results = runsOf.ToDictionary(r => r.Name, _ => new List<Timed>());
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < runsOf.Count; i++)
            {
                var run = runsOf[(i + round) % runsOf.Count];
                var load = MachineInfo.LoadAverage().Split(' ')[0];
                var archive = Path.Combine(options.WorkDirectory, $"archive-{results[run.Name].Count}-{i}");
                var timed = Run(run.Program, ["import", "--archive", archive, file], run.Setting, options.WorkDirectory);
                Program.TryDelete(archive);
                results[run.Name].Add(timed);
                runs.Add(Fmt.Int(round + 1), run.Name, Fmt.Seconds(timed.Wall), Fmt.Seconds(timed.Cpu), Fmt.Bytes(timed.PeakRss), load);
            }
        }

        Console.WriteLine(runs);
        var first = runsOf[0].Name;
        var baseCpu = Median(results[first], t => t.Cpu.TotalSeconds);
        var baseWall = Median(results[first], t => t.Wall.TotalSeconds);
        var summary = new MarkdownTable("Setting (median of rounds)", "Wall s:", "CPU s:", $"CPU ÷ `{first}`:", $"Wall ÷ `{first}`:", "Peak RSS B (max):", "÷ zstd -3 (wall):");
        foreach (var s in runsOf)
        {
            var cpu = Median(results[s.Name], t => t.Cpu.TotalSeconds);
            var wall = Median(results[s.Name], t => t.Wall.TotalSeconds);
            summary.Add(
                $"`{s.Name}`",
                wall.ToString("F2", CultureInfo.InvariantCulture),
                cpu.ToString("F2", CultureInfo.InvariantCulture),
                Fmt.Ratio(cpu / baseCpu),
                Fmt.Ratio(wall / baseWall),
                Fmt.Bytes(results[s.Name].Max(t => t.PeakRss)),
                zstd3MBps is { } z ? Fmt.Ratio(bytes / 1e6 / wall / z) : "-");
        }

        Console.WriteLine(summary);
        Console.WriteLine($"- load average at end (1/5/15 min): {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static double Median(List<Timed> runs, Func<Timed, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Runs <paramref name="amber"/> with <paramref name="args"/> under <c>/usr/bin/time</c> and <paramref name="setting"/>; throws when it fails.</summary>
    private static Timed Run(string amber, IReadOnlyList<string> args, RuntimeSetting? setting, string work) => Run([amber], args, setting, work);

    /// <summary>Runs <paramref name="program"/> (a command and its first arguments) with <paramref name="args"/> under <c>/usr/bin/time</c>; throws when it fails.</summary>
    private static Timed Run(string[] program, IReadOnlyList<string> args, RuntimeSetting? setting, string work)
    {
        var timing = Path.Combine(work, "time.txt");
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-o", timing, "-f", "%e %U %S %M", .. program, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        (setting ?? Default).ApplyTo(psi.Environment);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/time");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"amber {string.Join(' ', args)} ({setting?.Name}) exited with {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        var f = File.ReadAllText(timing).Trim().Split('\n')[^1].Split(' ');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new Timed(TimeSpan.FromSeconds(D(0)), TimeSpan.FromSeconds(D(1) + D(2)), long.Parse(f[3], CultureInfo.InvariantCulture) * 1024);
    }

    private static readonly RuntimeSetting Default = RuntimeSetting.Parse("default")[0];

    private sealed record Timed(TimeSpan Wall, TimeSpan Cpu, long PeakRss);
}
