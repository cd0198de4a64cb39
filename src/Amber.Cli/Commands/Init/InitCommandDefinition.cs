using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Init;

internal static class InitCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var command = new Command("init", "Create an empty archive");
        command.Options.Add(CommonOptions.Json);
        command.SetAction(parse => InitCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
