using System.CommandLine;
using Amber.Cli.Infrastructure.Settings;
using Amber.Storage;

namespace Amber.Cli.Infrastructure;

/// <summary>Resolves the settings and the archive folder and opens it; recovery reports go to stderr.</summary>
internal sealed class CliEnvironment(ParseResult parse, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? environment = null)
{
    private EffectiveSettings? settings;

    /// <summary>The command's result for people, or its --json output; nothing but the latter with --quiet.</summary>
    public TextWriter Out => Quiet && !Json ? TextWriter.Null : output;

    /// <summary>Standard output even with --quiet: for what is shown once and lost if silenced (a new token).</summary>
    public TextWriter Unsilenced => output;

    /// <summary>Errors and warnings: never silenced.</summary>
    public TextWriter Error => error;

    /// <summary>Notes about the run (recovery, skipped files, what a watch does): stderr, silent with --quiet.</summary>
    public TextWriter Info => Quiet ? TextWriter.Null : error;

    public bool Quiet => Parse.GetValue(CommonOptions.Quiet);

    /// <summary>--json, on the commands that have it.</summary>
    public bool Json => Parse.GetValue(CommonOptions.Json);

    /// <summary>True when stderr is this process's own stderr and a terminal (not redirected, not a test's writer).</summary>
    public bool ErrorIsTerminal => error == Console.Error && !Console.IsErrorRedirected;

    /// <summary>Whether long work shows progress (<see cref="ProgressDisplay.Shows"/>).</summary>
    public bool ShowsProgress => ProgressDisplay.Shows(ErrorIsTerminal, Json, Quiet);

    public ParseResult Parse { get; } = parse;

    /// <summary>Defaults, then the settings file, then AMBER_* variables, then flags (read on first use).</summary>
    public EffectiveSettings Settings => settings ??= EffectiveSettings.Load(Parse, environment ?? EffectiveSettings.ProcessEnvironment());

    public string ArchiveDirectory => Settings.ArchiveDirectory;

    /// <summary>The variables this run reads: the process's, or those a test gave.</summary>
    public IReadOnlyDictionary<string, string?> Variables => environment ?? EffectiveSettings.ProcessEnvironment();

    /// <summary>
    /// Whether an archive this command makes is encrypted: the <c>Encryption</c> setting (<c>on</c> by default; <c>off</c>
    /// from <c>--no-encryption</c>, <c>AMBER_ENCRYPTION=off</c> or a settings file). Anything else is refused, naming where it came from.
    /// </summary>
    public bool EncryptNewArchives
    {
        get
        {
            var setting = Settings[SettingsCatalogue.Encryption];
            return setting.Value?.Trim().ToLowerInvariant() switch
            {
                "on" or "true" => true,
                "off" or "false" => false,
                _ => throw new FormatException($"{SettingsCatalogue.Encryption} ({setting.Source}): \"{setting.Value}\" is neither on nor off."),
            };
        }
    }

    /// <summary>
    /// The archive options of this run. An archive a command makes because there is none (<paramref name="createIfMissing"/>)
    /// is encrypted unless the <c>Encryption</c> setting is off (<see cref="EncryptNewArchives"/>), as with <c>amber init</c>.
    /// </summary>
    public ArchiveOptions Options(bool createIfMissing = false) => new()
    {
        Directory = ArchiveDirectory,
        CreateIfMissing = createIfMissing,
        Encryption = createIfMissing ? EncryptNewArchives : null,
        KeyProvider = CliKeyProvider.For(Variables),
        Log = message => Info.WriteLine($"amber: recovery: {message}"),
    };

    /// <summary>Opens the archive (recovering it if this process can take the writer lock); <paramref name="compressionLevel"/> overrides the zstd level of the frames it writes.</summary>
    /// <remarks>An open that upgrades or rebuilds the index (a migration) or catches up a long way shows progress.</remarks>
    /// <param name="configure">Further options (a cluster node names its log's origin after itself).</param>
    public Archive Open(bool createIfMissing = false, int? compressionLevel = null, Func<ArchiveOptions, ArchiveOptions>? configure = null)
    {
        using var progress = new DeferredProgress<ScanProgress>(this, "index", p => p.BytesScanned < p.BytesTotal, ProgressDisplay.Scan("index"));
        var options = Options(createIfMissing) with { OpenProgress = progress };
        options = configure?.Invoke(options) ?? options;
        return Archive.Open(compressionLevel is { } level ? options with { CompressionLevel = level } : options);
    }

    /// <summary>
    /// Opens the archive for a command that must write it (rebuild, compact); null, with the reason on stderr, when
    /// another process holds the writer lock.
    /// </summary>
    public Archive? OpenWriter()
    {
        var archive = Open();
        if (!archive.IsReadOnly)
        {
            return archive;
        }

        archive.Dispose();
        Error.WriteLine("amber: another process (amber serve?) holds the archive's writer lock; stop it and run again.");
        return null;
    }
}
