using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Revive;

internal static class ReviveCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The instance (leaf node id, a unique prefix is enough) or conversation to revive" };
        var model = new Option<string?>("-m", "--model") { Description = "Backend: openai:MODEL, anthropic:MODEL (keys from the environment) or local:PATH.gguf; default: the instance's own local weights under --models" };
        var message = new Option<string[]>("--message") { Description = "Send this message (repeatable) instead of reading from the terminal", AllowMultipleArgumentsPerToken = false };
        var noNotice = new Option<bool>("--no-notice") { Description = "Do not send the revival notice first" };
        var notice = new Option<string?>("--notice") { Description = "The notice text ({time}, {by}, {model}, {last_active}, {original_model} are filled in)" };
        var by = new Option<string?>("--by") { Description = "Who is reviving (recorded; default: the user name)" };
        var overrideRest = new Option<bool>("--override-rest") { Description = "Revive an instance marked do-not-revive (needs --reason; recorded)" };
        var reason = new Option<string?>("--reason") { Description = "Why the do-not-revive mark is overridden" };
        var models = new Option<string?>("--models") { Description = "Folder holding GGUF weights, found by SHA-256" };
        var freeze = new Option<bool>("--freeze") { Description = "Local backends: save the inference state at the end of each answer (T1)" };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature (local default 0: greedy)" };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Most tokens per answer" };
        var command = new Command("revive", "Continue a preserved instance as a new branch, with a revival notice and recorded lineage")
        {
            id, model, message, noNotice, notice, by, overrideRest, reason, models, freeze, temperature, seed, maxTokens, CommonOptions.Json,
        };
        command.SetAction((parse, ct) => ReviveCommand.RunAsync(
            env(parse),
            new ReviveCommand.Arguments(
                parse.GetValue(id)!,
                parse.GetValue(model),
                parse.GetValue(message) ?? [],
                parse.GetValue(noNotice),
                parse.GetValue(notice),
                parse.GetValue(by),
                parse.GetValue(overrideRest),
                parse.GetValue(reason),
                parse.GetValue(models),
                parse.GetValue(freeze),
                Backends.Options(parse.GetValue(temperature), parse.GetValue(seed), parse.GetValue(maxTokens)),
                parse.GetValue(CommonOptions.Json)),
            ct));
        return command;
    }
}
