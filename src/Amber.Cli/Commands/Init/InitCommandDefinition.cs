using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Init;

internal static class InitCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var command = new Command("init", "Create an empty archive");
        var noEncryption = new Option<bool>("--no-encryption") { Description = "Store content in the clear (by default each conversation is encrypted under its own data key, wrapped by a tenant key kept outside the archive)" };
        command.Options.Add(noEncryption);
        command.Options.Add(CommonOptions.Json);
        command.SetAction(parse => InitCommand.Run(env(parse), parse.GetValue(CommonOptions.Json), !parse.GetValue(noEncryption)));
        return command;
    }
}
