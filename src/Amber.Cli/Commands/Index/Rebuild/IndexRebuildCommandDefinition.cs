using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Index.Rebuild;

internal static class IndexRebuildCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var rebuild = new Command("rebuild", "Drop the SQLite index and rebuild it from the segments alone") { CommonOptions.Json };
        rebuild.SetAction(parse => IndexRebuildCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return new Command("index", "The archive's SQLite index (derived state)") { rebuild };
    }
}
