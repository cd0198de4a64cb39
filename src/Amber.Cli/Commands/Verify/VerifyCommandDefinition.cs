using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Verify;

internal static class VerifyCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var kept = new Option<string[]>("--checkpoint") { Description = "A signed checkpoint kept from earlier (repeatable): the log must still be consistent with it" };
        var command = new Command("verify", "Re-read every byte and check every frame, footer, hash, hash chain, the log and the index; exit 0 only if all holds") { kept, CommonOptions.Json };
        command.SetAction(parse => VerifyCommand.Run(env(parse), parse.GetValue(CommonOptions.Json), parse.GetValue(kept) ?? []));
        return command;
    }
}
