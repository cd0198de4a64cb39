using System.Globalization;
using Amber.Fuzz.Engine;
using Amber.Fuzz.Soak;
using Amber.Fuzz.Targets;

namespace Amber.Fuzz;

/// <summary>
/// amber-fuzz list | run TARGET|all [--inputs N] [--minutes M] [--seed S] [--import-every K] [--hang-ms MS] [--findings DIR]
/// | soak [--minutes M] [--rate R]. Prints one tally line per target and exits 1 on any crash, hang or memory overrun.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("""
                amber-fuzz list                      the fuzz targets
                amber-fuzz run TARGET|all [options]  fuzz one target or every target in turn
                  --inputs N        inputs per target (default 10000)
                  --minutes M       time limit per target (default 10)
                  --seed S          mutation seed (default 1)
                  --import-every K  one input in K also goes through the real import path (default 16; 1 = all)
                  --hang-ms MS      an input running longer is a hang (default 1000)
                  --findings DIR    where crashing and hanging inputs are written (default fuzz-findings)
                amber-fuzz replay TARGET FILE...     run saved inputs (findings, regression files) through one target
                amber-fuzz soak [--minutes M] [--rate R]  the gateway's upstream fault matrix at R calls/s for M minutes
                """);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            return args[0] switch
            {
                "list" => List(),
                "run" when args.Length >= 2 => Run(args[1], Options(args[2..])),
                "replay" when args.Length >= 3 => Replay(args[1], args[2..]),
                "soak" => SoakCommand.Run(Options(args[1..])),
                _ => Usage($"unknown command: {string.Join(' ', args)}"),
            };
        }
        catch (ArgumentException e)
        {
            return Usage(e.Message);
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("amber-fuzz: " + message + " (amber-fuzz --help lists the commands)");
        return 2;
    }

    private static int List()
    {
        foreach (var name in TargetCatalog.Names)
        {
            Console.WriteLine(name);
        }

        return 0;
    }

    private static int Run(string which, Dictionary<string, string> options)
    {
        var names = which == "all" ? TargetCatalog.Names : [which];
        var campaign = new CampaignOptions
        {
            Inputs = (long)Number(options, "inputs", 10_000),
            Duration = TimeSpan.FromMinutes(Number(options, "minutes", 10)),
            Seed = (int)Number(options, "seed", 1),
            HangLimit = TimeSpan.FromMilliseconds(Number(options, "hang-ms", 1000)),
            FindingsDirectory = options.GetValueOrDefault("findings", "fuzz-findings"),
        };
        var importEvery = (int)Number(options, "import-every", TargetCatalog.DefaultImportEvery);
        var clean = true;
        foreach (var name in names)
        {
            using var target = TargetCatalog.Create(name, importEvery);
            var tally = Campaign.Run(target, campaign, t => Console.Error.WriteLine("  … " + t));
            Console.WriteLine(tally);
            foreach (var (kind, message) in tally.CrashKinds)
            {
                Console.WriteLine($"    crash: {kind}: {message}");
            }

            clean &= tally.Clean;
        }

        return clean ? 0 : 1;
    }

    private static int Replay(string name, string[] files)
    {
        using var target = TargetCatalog.Create(name, importEvery: 1);
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                // The time is the input's own (the first input of a process also pays for JIT and the scratch archive):
                // name a file twice to see it warm, as a campaign's hang limit sees it.
                var bytes = File.ReadAllBytes(file);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var verdict = target.Run(bytes);
                Console.WriteLine($"{file}: {verdict} ({clock.Elapsed.TotalMilliseconds:F0} ms)");
            }
#pragma warning disable CA1031 // replay reports every crash and goes on to the next file
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"{file}: CRASH {e.GetType().FullName}: {e.Message}");
                Console.Error.WriteLine(e.StackTrace); // where it escaped from: stdout keeps one line per input
            }
        }

        return failed == 0 ? 0 : 1;
    }

    public static Dictionary<string, string> Options(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got \"{args[i]}\"");
            }

            result[args[i][2..]] = args[++i];
        }

        return result;
    }

    public static double Number(Dictionary<string, string> options, string name, double fallback)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"--{name} must be a positive number, got \"{text}\"");
    }
}
