using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Shred;

internal static class ShredCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The conversation, or an instance (leaf node) whose conversations are shredded" };
        var reason = new Option<string>("--reason") { Description = "Why (kept in keys.db; the log keeps only its SHA-256)", Required = true, HelpName = "TEXT" };
        var command = new Command("shred", "Destroy a conversation's data key for good: its content can never be read again, the log and proofs still verify") { id, reason, CommonOptions.Json };
        command.SetAction(p => ShredCommand.Run(env(p), p.GetValue(id)!, p.GetValue(reason)!, p.GetValue(CommonOptions.Json)));
        return command;
    }
}
