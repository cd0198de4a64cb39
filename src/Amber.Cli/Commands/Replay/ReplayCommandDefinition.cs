using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Replay;

internal static class ReplayCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The instance (leaf node id; a unique prefix is enough) or conversation" };
        var models = new Option<string?>("--models") { Description = "Folder holding GGUF weights, found by SHA-256 (T1/T2 turns are re-derived token for token)" };
        var model = new Option<string?>("-m", "--model") { Description = "Hosted backend for T3 turns: openai:MODEL or anthropic:MODEL (similarity, never exact)" };
        var command = new Command("replay", "Re-derive every generated turn of an instance and report exact / diverged at token N / skipped") { id, models, model, CommonOptions.Json };
        command.SetAction((parse, ct) => ReplayCommand.RunAsync(env(parse), parse.GetValue(id)!, parse.GetValue(models), parse.GetValue(model), parse.GetValue(CommonOptions.Json), ct));
        return command;
    }
}
