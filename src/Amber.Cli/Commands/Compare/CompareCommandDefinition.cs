using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Compare;

internal static class CompareCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The instance (leaf node id; a unique prefix is enough) or conversation" };
        var model = new Option<string>("-m", "--model") { Description = "The other model: openai:MODEL, anthropic:MODEL or local:PATH.gguf", Required = true };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature" };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Most tokens per answer" };
        var overrideRest = new Option<bool>("--override-rest") { Description = "Compare an instance marked do-not-revive (needs --reason; recorded)" };
        var reason = new Option<string?>("--reason") { Description = "Why the do-not-revive mark is overridden" };
        var command = new Command("compare", "Replay an instance's user turns on another model, show old and new answers side by side, and save them as a comparison branch")
        {
            id, model, temperature, seed, maxTokens, overrideRest, reason, CommonOptions.Json,
        };
        command.SetAction((parse, ct) => CompareCommand.RunAsync(
            env(parse),
            parse.GetValue(id)!,
            parse.GetValue(model)!,
            Revive.Backends.Options(parse.GetValue(temperature), parse.GetValue(seed), parse.GetValue(maxTokens)),
            parse.GetValue(CommonOptions.Json),
            parse.GetValue(overrideRest) ? parse.GetValue(reason) ?? "" : null,
            ct));
        return command;
    }
}
