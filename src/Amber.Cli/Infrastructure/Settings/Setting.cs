namespace Amber.Cli.Infrastructure.Settings;

/// <summary>
/// One setting: its key in amber.json (sections joined by ':'), the flag that overrides it on the commands that
/// take it, its default, and whether it is a secret (masked by <c>amber config show</c>).
/// </summary>
internal sealed record Setting(string Key, string Flag, IReadOnlyList<string> Commands, string? Default, string Description, bool Secret = false, bool IsList = false)
{
    /// <summary>The environment variable: AMBER_ and the key in capitals, sections joined by "__" (Microsoft.Extensions.Configuration's rule).</summary>
    public string EnvironmentVariable => SettingsCatalogue.EnvironmentPrefix + Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
}
