using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Show;

internal static class ShowCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "A conversation id, an instance (leaf node) id or a node id; a unique prefix is enough" };
        var raw = new Option<bool>("--raw") { Description = "Print the raw source object the conversation was normalized from" };
        var command = new Command("show", "Show a conversation tree, or one instance as a transcript") { id, raw, CommonOptions.Json };
        command.SetAction(parse => ShowCommand.Run(env(parse), parse.GetValue(id)!, parse.GetValue(raw), parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
