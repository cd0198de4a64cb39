using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Mark;

internal static class MarkCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The instance (leaf node), node or conversation to mark" };
        var rest = new Option<bool>("--rest") { Description = "Mark do-not-revive: `amber revive` refuses it unless overridden with a reason" };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with the mark)" };
        var by = new Option<string?>("--by") { Description = "Who asks; use \"instance\" to record the instance's own stated wish (default: the user name)" };
        var command = new Command("mark", "Record a statement about an instance (do-not-revive)") { id, rest, reason, by, CommonOptions.Json };
        command.SetAction((parse, ct) => MarkCommand.RunAsync(env(parse), parse.GetValue(id)!, parse.GetValue(rest), parse.GetValue(reason), parse.GetValue(by), parse.GetValue(CommonOptions.Json), ct));
        return command;
    }
}
