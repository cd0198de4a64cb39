using System.CommandLine;
using Amber.Cli.Infrastructure.Settings;
using Amber.Storage;

namespace Amber.Cli.Infrastructure;

/// <summary>Resolves the settings and the archive folder and opens it; recovery reports go to stderr.</summary>
internal sealed class CliEnvironment(ParseResult parse, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? environment = null)
{
    private EffectiveSettings? settings;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public ParseResult Parse { get; } = parse;

    /// <summary>Defaults, then the settings file, then AMBER_* variables, then flags (read on first use).</summary>
    public EffectiveSettings Settings => settings ??= EffectiveSettings.Load(Parse, environment ?? EffectiveSettings.ProcessEnvironment());

    public string ArchiveDirectory => Settings.ArchiveDirectory;

    public ArchiveOptions Options(bool createIfMissing = false) => new()
    {
        Directory = ArchiveDirectory,
        CreateIfMissing = createIfMissing,
        Log = message => Error.WriteLine($"amber: recovery: {message}"),
    };

    /// <summary>Opens the archive (recovering it if this process can take the writer lock).</summary>
    public Archive Open(bool createIfMissing = false) => Archive.Open(Options(createIfMissing));
}
