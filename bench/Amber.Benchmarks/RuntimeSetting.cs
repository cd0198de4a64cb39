namespace Amber.Benchmarks;

/// <summary>
/// A .NET runtime setting a child process runs under, by name (<c>--runtime-settings default,tieredpgo-off,…</c>): the
/// <c>DOTNET_</c> environment variables it sets. Every setting clears the variables the others set, so a child never
/// inherits one from the bench's own environment; <c>default</c> sets none (what the app's runtimeconfig.json says).
/// </summary>
public sealed record RuntimeSetting(string Name, IReadOnlyDictionary<string, string> Environment)
{
    private static readonly Dictionary<string, Dictionary<string, string>> Known = new(StringComparer.Ordinal)
    {
        ["default"] = [],
        ["tieredpgo-off"] = new() { ["DOTNET_TieredPGO"] = "0" },
        ["tieredpgo-on"] = new() { ["DOTNET_TieredPGO"] = "1" },
        ["tc-off"] = new() { ["DOTNET_TieredCompilation"] = "0" },
        ["quick-loops-off"] = new() { ["DOTNET_TC_QuickJitForLoops"] = "0" },
        ["readytorun-off"] = new() { ["DOTNET_ReadyToRun"] = "0" },
        ["tieredpgo-off-quick-loops-off"] = new() { ["DOTNET_TieredPGO"] = "0", ["DOTNET_TC_QuickJitForLoops"] = "0" },
    };

    /// <summary>Every variable any known setting sets: cleared in a child before its own are set.</summary>
    public static IReadOnlySet<string> Variables { get; } = Known.Values.SelectMany(v => v.Keys).ToHashSet(StringComparer.Ordinal);

    /// <summary>The settings named in a comma-separated <paramref name="list"/>, in its order.</summary>
    public static IReadOnlyList<RuntimeSetting> Parse(string list)
        => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name => Known.TryGetValue(name, out var env)
            ? new RuntimeSetting(name, env)
            : throw new ArgumentException($"unknown runtime setting '{name}'; known: {string.Join(", ", Known.Keys)}"))];

    /// <summary>Sets this setting's variables on <paramref name="environment"/>, after clearing every known one.</summary>
    public void ApplyTo(IDictionary<string, string?> environment)
    {
        foreach (var name in Variables)
        {
            environment.Remove(name);
        }

        foreach (var (name, value) in Environment)
        {
            environment[name] = value;
        }
    }

    /// <summary>The variables as a reader would type them, or "(none)".</summary>
    public string Describe() => Environment.Count == 0 ? "(none)" : string.Join(" ", Environment.Select(kv => $"{kv.Key}={kv.Value}"));
}
