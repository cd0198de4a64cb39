using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>
/// Command-line options shared by the subcommands: <c>--shared DIR</c> (default: ../shared beside the
/// repository, as the tests find it), <c>--work DIR</c> (temp folder for archives, default under the
/// system temp folder, on the real disk), <c>--repeat N</c> and <c>--keep</c>. Anything else is passed
/// on (to BenchmarkDotNet for <c>read</c>).
/// </summary>
public sealed class BenchOptions
{
    public required string Command { get; init; }

    public required string SharedDirectory { get; init; }

    public required string WorkDirectory { get; init; }

    public string? Repository { get; init; }

    public int Repeat { get; init; } = 1;

    public bool Keep { get; init; }

    public IReadOnlyList<string> Rest { get; init; } = [];

    public string CorpusDirectory => Path.Combine(SharedDirectory, "corpus");

    /// <summary>The value after <paramref name="name"/> among the passed-on options, or null.</summary>
    public string? Option(string name)
    {
        for (var i = 0; i + 1 < Rest.Count; i++)
        {
            if (Rest[i] == name)
            {
                return Rest[i + 1];
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="name"/> is among the passed-on options.</summary>
    public bool Flag(string name) => Rest.Contains(name);

    /// <summary>The integer after <paramref name="name"/> among the passed-on options, or <paramref name="fallback"/>.</summary>
    public int IntOption(string name, int fallback)
        => Option(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("usage: Amber.Benchmarks ingest|size|read|log|import|gateway|capture|viewer|thaw|frames|floors [--shared DIR] [--work DIR] [--repeat N] [--keep] [command options]");
        }

        string? shared = null;
        string? work = null;
        var repeat = 1;
        var keep = false;
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--shared" when i + 1 < args.Length:
                    shared = args[++i];
                    break;
                case "--work" when i + 1 < args.Length:
                    work = args[++i];
                    break;
                case "--repeat" when i + 1 < args.Length:
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--keep":
                    keep = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        shared ??= Amber.Testing.SharedData.Directory
            ?? throw new DirectoryNotFoundException("../shared is not beside the repository; pass --shared DIR (the folder that holds corpus/).");
        work ??= Path.Combine(Path.GetTempPath(), $"amber-bench-{Environment.ProcessId}");
        return new BenchOptions
        {
            Command = args[0],
            SharedDirectory = Path.GetFullPath(shared),
            WorkDirectory = Path.GetFullPath(work),
            Repository = FindRepository(),
            Repeat = Math.Max(1, repeat),
            Keep = keep,
            Rest = rest,
        };
    }

    private static string? FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Amber.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
