using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Init;

internal static class InitCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var command = new Command("init", "Create an empty archive");
        var noEncryption = CommonOptions.NoEncryption;
        command.Options.Add(noEncryption);
        command.Options.Add(CommonOptions.Json);
        command.SetAction(parse => InitCommand.Run(env(parse), parse.GetValue(CommonOptions.Json), !parse.GetValue(noEncryption)));
        return command;
    }
}
