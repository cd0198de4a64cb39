using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Ls;

internal static class LsCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var instances = new Option<bool>("--instances") { Description = "List instances (root-to-leaf paths) instead of conversations" };
        var model = new Option<string?>("-m", "--model") { Description = "Only conversations with turns by this model" };
        var source = new Option<string?>("--source") { Description = "Only conversations from this source or format" };
        var tier = new Option<string?>("--tier") { Description = "Only conversations graded at this tier (T1..T4)" };
        tier.AcceptOnlyFromAmong("T1", "T2", "T3", "T4");
        var cluster = new Option<bool>("--cluster") { Description = "List the whole cluster archive (every node's shard) from its PostgreSQL catalogue, AMBER_CATALOG (also AMBER_CLUSTER=1)" };
        var command = new Command("ls", "List conversations, newest first") { CommonOptions.Count, instances, model, source, tier, cluster, CommonOptions.Json };
        command.SetAction(parse => LsCommand.Run(
            env(parse),
            parse.GetValue(CommonOptions.Count) ?? 50,
            parse.GetValue(instances),
            parse.GetValue(model),
            parse.GetValue(source),
            parse.GetValue(tier),
            parse.GetValue(CommonOptions.Json),
            parse.GetValue(cluster)));
        return command;
    }
}
