using System.Diagnostics;

namespace Amber.Benchmarks;

/// <summary>
/// <c>capture --runtime-settings default,tieredpgo-off [--rounds N]</c>: runs this bench command again in a child
/// process of this same build under each runtime setting (<see cref="RuntimeSetting"/>), alternating, the order rotated
/// each round, and prints each child's tables under a heading. For commands that measure in process, where a runtime
/// setting must be set before the runtime starts.
/// </summary>
public static class RuntimeSettingsRerun
{
    public static int Run(BenchOptions options, string list)
    {
        var settings = RuntimeSetting.Parse(list);
        var rounds = options.IntOption("--rounds", 2);
        var passed = new List<string>();
        for (var i = 0; i < options.Rest.Count; i++)
        {
            if (options.Rest[i] is "--runtime-settings" or "--rounds")
            {
                i++; // and its value
                continue;
            }

            passed.Add(options.Rest[i]);
        }

        // Under `dotnet x.dll` the process is dotnet and the first argument the assembly; under the apphost, the program itself.
        var program = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var prefix = Path.GetFileNameWithoutExtension(program) == "dotnet" ? [typeof(RuntimeSettingsRerun).Assembly.Location] : Array.Empty<string>();
        Console.WriteLine($"# {options.Command} under runtime settings: {string.Join("; ", settings.Select(s => $"`{s.Name}` = {s.Describe()}"))}; {rounds} rounds, the order rotated each round\n");
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < settings.Count; i++)
            {
                var setting = settings[(i + round) % settings.Count];
                Console.WriteLine($"## `{setting.Name}`, round {round + 1} (load before: {MachineInfo.LoadAverage()})\n");
                var psi = new ProcessStartInfo(program) { UseShellExecute = false };
                foreach (var a in (string[])[.. prefix, options.Command, "--shared", options.SharedDirectory, "--work", Path.Combine(options.WorkDirectory, $"{setting.Name}-{round}"), "--repeat", options.Repeat.ToString(System.Globalization.CultureInfo.InvariantCulture), .. passed])
                {
                    psi.ArgumentList.Add(a);
                }

                setting.ApplyTo(psi.Environment);
                using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
                p.WaitForExit();
                if (p.ExitCode != 0)
                {
                    Console.Error.WriteLine($"{options.Command} under {setting.Name} exited with {p.ExitCode}");
                    return p.ExitCode;
                }
            }
        }

        return 0;
    }
}
