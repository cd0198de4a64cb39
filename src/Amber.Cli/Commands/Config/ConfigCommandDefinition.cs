using System.CommandLine;
using Amber.Cli.Commands.Config.Show;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Config;

internal static class ConfigCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var show = new Command("show", "Print the effective settings and where each came from (default, settings file, AMBER_* variable, flag); secrets masked") { CommonOptions.Json };
        show.SetAction(p => ConfigShowCommand.Run(env(p), p.GetValue(CommonOptions.Json)));
        return new Command("config", "Settings: amber.json in the archive folder (or --config FILE), AMBER_* variables, flags; later ones win") { show };
    }
}
