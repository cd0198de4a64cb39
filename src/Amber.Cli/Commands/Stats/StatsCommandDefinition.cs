using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Stats;

internal static class StatsCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var command = new Command("stats", "What the archive holds, what it costs to store, tiers and models") { CommonOptions.Json };
        command.SetAction(parse => StatsCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
