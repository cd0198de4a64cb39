using System.CommandLine;

namespace Amber.Cli.Infrastructure;

/// <summary>Options that mean the same thing on every command.</summary>
internal static class CommonOptions
{
    public static Option<string?> Archive { get; } = new("--archive")
    {
        Description = "Archive folder (default: $AMBER_ARCHIVE, else Archive in the --config file, else ./amber-data)",
        Recursive = true,
    };

    public static Option<string?> Config { get; } = new("--config")
    {
        Description = "Settings file to read instead of amber.json in the archive folder (flags and AMBER_* variables still win)",
        Recursive = true,
    };

    public static Option<bool> Json { get; } = new("--json") { Description = "Machine-readable output" };

    /// <summary>No <c>-q</c>: that letter means a query (<c>search -q</c>).</summary>
    public static Option<bool> Quiet { get; } = new("--quiet")
    {
        Description = "Print only errors and --json output: no progress, notes or human-readable results (the exit code tells how it went)",
        Recursive = true,
    };

    /// <summary>
    /// <c>--no-encryption</c> of <c>init</c> and of the commands that make an archive when there is none (<c>import</c>,
    /// <c>serve</c>, <c>proxy</c>): new archives are encrypted unless it is given; an existing archive keeps what it is.
    /// </summary>
    public static Option<bool> NoEncryption { get; } = new("--no-encryption")
    {
        Description = "Store content in the clear (by default each conversation is encrypted under its own data key, wrapped by a tenant key kept outside the archive)",
    };

    public static Option<int?> Count { get; } = new("-n", "--count") { Description = "How many to show at most" };

    /// <summary><c>--host-name NAME</c> of <c>serve</c> and <c>proxy</c> (repeatable): a name besides the loopback ones that requests may give in <c>Host</c>.</summary>
    public static Option<string[]> HostNames() => new("--host-name")
    {
        Description = "A host name clients use to reach this server besides localhost and loopback IPs (a reverse proxy's public name; repeatable). Requests naming any other Host get 421",
        AllowMultipleArgumentsPerToken = false,
    };
}
