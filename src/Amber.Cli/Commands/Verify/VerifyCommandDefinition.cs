using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Verify;

internal static class VerifyCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var command = new Command("verify", "Re-read every byte and check every frame, footer, hash, hash chain and the index; exit 0 only if all holds") { CommonOptions.Json };
        command.SetAction(parse => VerifyCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
