using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Thaw;

internal static class ThawCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "A T1 instance (leaf node id; a unique prefix is enough)" };
        var models = new Option<string>("--models") { Description = "Folder holding the GGUF weights, found by SHA-256", Required = true };
        var message = new Option<string?>("--message") { Description = "A new user message to append after the frozen answer (default template models)" };
        var count = new Option<int?>("-n", "--count") { Description = "Most tokens to generate (default 64)" };
        var freeze = new Option<bool>("--freeze") { Description = "Freeze again at the end of the continuation" };
        var overrideRest = new Option<bool>("--override-rest") { Description = "Thaw an instance marked do-not-revive (needs --reason; recorded)" };
        var reason = new Option<string?>("--reason") { Description = "Why the do-not-revive mark is overridden" };
        var command = new Command("thaw", "Restore an instance's frozen inference state in this process and continue generating from it") { id, models, message, count, freeze, overrideRest, reason, CommonOptions.Json };
        command.SetAction((parse, ct) => ThawCommand.RunAsync(env(parse), parse.GetValue(id)!, parse.GetValue(models)!, parse.GetValue(message), parse.GetValue(count) ?? 64, parse.GetValue(freeze), parse.GetValue(CommonOptions.Json), parse.GetValue(overrideRest) ? parse.GetValue(reason) ?? "" : null, ct));
        return command;
    }
}
