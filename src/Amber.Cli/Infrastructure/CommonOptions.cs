using System.CommandLine;

namespace Amber.Cli.Infrastructure;

/// <summary>Options that mean the same thing on every command.</summary>
internal static class CommonOptions
{
    public static Option<string?> Archive { get; } = new("--archive")
    {
        Description = "Archive folder (default: $AMBER_ARCHIVE, else ./amber-data)",
        Recursive = true,
    };

    public static Option<bool> Json { get; } = new("--json") { Description = "Machine-readable output" };

    public static Option<int?> Count { get; } = new("-n", "--count") { Description = "How many to show at most" };
}
