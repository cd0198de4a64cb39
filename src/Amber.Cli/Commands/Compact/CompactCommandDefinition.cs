using System.CommandLine;
using Amber.Cli.Infrastructure;
using Amber.Storage;

namespace Amber.Cli.Commands.Compact;

internal static class CompactCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var level = new Option<int>("--level") { Description = "zstd level to re-encode sealed segments at (1-22)", DefaultValueFactory = _ => Archive.DefaultCompactionLevel };
        var command = new Command("compact", "Re-encode the sealed segments at a high zstd level into new sealed files: smaller on disk, same content, same log") { level, CommonOptions.Json };
        command.SetAction(parse => CompactCommand.Run(env(parse), parse.GetValue(CommonOptions.Json), parse.GetValue(level)));
        return command;
    }
}
