using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Amber.Cli.Infrastructure.Settings;

/// <summary>
/// The settings in force for one command: defaults, then one settings file (<c>--config FILE</c>, else amber.json in
/// the archive folder), then AMBER_* environment variables, then the flags given; each later layer wins. Built on
/// Microsoft.Extensions.Configuration; each value remembers its layer so <c>amber config show</c> can say it.
/// </summary>
internal sealed class EffectiveSettings
{
    private readonly IConfigurationRoot root;
    private readonly List<string> labels;
    private readonly Dictionary<string, SettingValue> resolved = new(StringComparer.OrdinalIgnoreCase);

    private EffectiveSettings(IConfigurationRoot root, List<string> labels, string archiveDirectory, string? file)
    {
        this.root = root;
        this.labels = labels;
        ArchiveDirectory = archiveDirectory;
        File = file;
    }

    /// <summary>The archive folder, full path.</summary>
    public string ArchiveDirectory { get; }

    /// <summary>The settings file that was read, or null when there was none.</summary>
    public string? File { get; }

    public SettingValue this[string key] => resolved.TryGetValue(key, out var v) ? v : resolved[key] = Resolve(SettingsCatalogue.Get(key));

    public IEnumerable<SettingValue> All => SettingsCatalogue.All.Select(s => this[s.Key]);

    /// <summary>Reads the layers for the command <paramref name="parse"/> names, with <paramref name="environment"/> as the process environment.</summary>
    public static EffectiveSettings Load(ParseResult parse, IReadOnlyDictionary<string, string?> environment)
    {
        var flags = Flags(parse);
        var config = parse.GetValue(CommonOptions.Config);
        string? file = null;
        if (!string.IsNullOrWhiteSpace(config))
        {
            file = Path.GetFullPath(config);
            if (!System.IO.File.Exists(file))
            {
                throw new FileNotFoundException($"--config: {file} does not exist.", file);
            }
        }

        // The archive folder decides where amber.json is, so it is resolved first: flag, variable, --config file, default.
        var archive = flags.GetValueOrDefault(SettingsCatalogue.Archive)
            ?? NonEmpty(environment.GetValueOrDefault(SettingsCatalogue.Get(SettingsCatalogue.Archive).EnvironmentVariable))
            ?? (file is null ? null : ReadFile(file)[SettingsCatalogue.Archive])
            ?? SettingsCatalogue.Get(SettingsCatalogue.Archive).Default!;
        var archiveDirectory = Path.GetFullPath(archive);
        if (file is null && System.IO.File.Exists(Path.Combine(archiveDirectory, SettingsCatalogue.FileName)))
        {
            file = Path.Combine(archiveDirectory, SettingsCatalogue.FileName);
        }

        var builder = new ConfigurationBuilder();
        var labels = new List<string>();
        builder.Add(new MemoryConfigurationSource { InitialData = SettingsCatalogue.All.Where(s => s.Default is not null).Select(s => new KeyValuePair<string, string?>(s.Key, s.Default)) });
        labels.Add("default");
        if (file is not null)
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
            labels.Add("file " + file);
        }

        var legacy = SettingsCatalogue.LegacyVariables.Where(v => NonEmpty(environment.GetValueOrDefault(v.Key)) is not null).ToList();
        builder.Add(new MemoryConfigurationSource { InitialData = legacy.Select(v => new KeyValuePair<string, string?>(v.Value, environment[v.Key])) });
        labels.Add("env " + string.Join(", ", legacy.Select(v => v.Key)));
        // The variables come from the given dictionary (the process environment, or a test's), read with the
        // environment provider's rule: AMBER_ stripped, "__" for ':'.
        builder.Add(new MemoryConfigurationSource { InitialData = environment.Where(e => e.Key.StartsWith(SettingsCatalogue.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)).Select(e => new KeyValuePair<string, string?>(e.Key[SettingsCatalogue.EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value)) });
        labels.Add("env");
        builder.Add(new MemoryConfigurationSource { InitialData = flags.Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)) });
        labels.Add("flag");
        return new EffectiveSettings(builder.Build(), labels, archiveDirectory, file);
    }

    /// <summary>The process environment as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
        => Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    private SettingValue Resolve(Setting setting)
    {
        // The highest layer that names the setting gives all of it (a list is never merged element by element across layers).
        var providers = root.Providers.ToList();
        for (var i = providers.Count - 1; i >= 0; i--)
        {
            var values = Values(providers[i], setting);
            if (values.Count == 0)
            {
                continue;
            }

            var label = labels[i] switch
            {
                "env" => "env " + setting.EnvironmentVariable,
                "flag" => "flag " + setting.Flag,
                var other => other,
            };
            // The archive is resolved before the layers are read (it locates amber.json): report that full path.
            return new SettingValue(setting, setting.Key == SettingsCatalogue.Archive ? [ArchiveDirectory] : values, label);
        }

        return new SettingValue(setting, [], "unset");
    }

    private static List<string> Values(IConfigurationProvider provider, Setting setting)
    {
        if (setting.IsList)
        {
            var list = new List<string>();
            for (var n = 0; provider.TryGet($"{setting.Key}:{n}", out var item); n++)
            {
                if (!string.IsNullOrWhiteSpace(item))
                {
                    list.Add(item);
                }
            }

            // A list may also be given as one comma-separated value (the natural form of a variable).
            if (list.Count == 0 && provider.TryGet(setting.Key, out var joined) && !string.IsNullOrWhiteSpace(joined))
            {
                list.AddRange(joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }

            return list;
        }

        return provider.TryGet(setting.Key, out var value) && value is not null ? [value] : [];
    }

    /// <summary>The flags given on this command line (not their defaults), by setting key.</summary>
    private static Dictionary<string, string> Flags(ParseResult parse)
    {
        var flags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var command = parse.CommandResult.Command;
        var options = command.Options.Concat(parse.RootCommandResult.Command.Options.Where(o => o.Recursive));
        foreach (var setting in SettingsCatalogue.All.Where(s => s.Commands.Contains("*") || s.Commands.Contains(command.Name)))
        {
            var option = options.FirstOrDefault(o => o.Name == setting.Flag || o.Aliases.Contains(setting.Flag));
            if (option is null || parse.GetResult(option) is not { Implicit: false } given)
            {
                continue;
            }

            if (option is Option<bool> flag)
            {
                // A switch: --no-encryption given is "off" (a --no- flag turns its setting off), any other switch "on".
                flags[setting.Key] = parse.GetValue(flag) ^ setting.Flag.StartsWith("--no-", StringComparison.Ordinal) ? "on" : "off";
            }
            else if (setting.IsList)
            {
                for (var n = 0; n < given.Tokens.Count; n++)
                {
                    flags[$"{setting.Key}:{n}"] = given.Tokens[n].Value;
                }
            }
            else
            {
                // A bare --notice (no value) means the default text.
                flags[setting.Key] = given.Tokens.Count > 0 ? given.Tokens[0].Value : SettingsCatalogue.DefaultNoticeValue;
            }
        }

        return flags;
    }

    private static IConfigurationRoot ReadFile(string file) => new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
