namespace Amber.Cli.Infrastructure.Settings;

/// <summary>A setting's effective value and where it came from ("default", "file PATH", "env NAME", "flag --NAME").</summary>
internal sealed record SettingValue(Setting Setting, IReadOnlyList<string> Values, string Source)
{
    /// <summary>The single value (the first of a list), or null when unset.</summary>
    public string? Value => Values.Count > 0 ? Values[0] : null;
}
