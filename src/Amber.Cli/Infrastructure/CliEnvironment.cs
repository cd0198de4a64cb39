using System.CommandLine;
using Amber.Storage;

namespace Amber.Cli.Infrastructure;

/// <summary>Resolves the archive folder and opens it; recovery reports go to stderr.</summary>
internal sealed class CliEnvironment(ParseResult parse, TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public ParseResult Parse { get; } = parse;

    public string ArchiveDirectory
    {
        get
        {
            var given = Parse.GetValue(CommonOptions.Archive);
            if (!string.IsNullOrWhiteSpace(given))
            {
                return Path.GetFullPath(given);
            }

            var env = Environment.GetEnvironmentVariable("AMBER_ARCHIVE");
            return Path.GetFullPath(string.IsNullOrWhiteSpace(env) ? "amber-data" : env);
        }
    }

    public ArchiveOptions Options(bool createIfMissing = false) => new()
    {
        Directory = ArchiveDirectory,
        CreateIfMissing = createIfMissing,
        Log = message => Error.WriteLine($"amber: recovery: {message}"),
    };

    /// <summary>Opens the archive (recovering it if this process can take the writer lock).</summary>
    public Archive Open(bool createIfMissing = false) => Archive.Open(Options(createIfMissing));
}
