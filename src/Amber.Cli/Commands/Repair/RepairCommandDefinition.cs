using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Repair;

internal static class RepairCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var from = new Option<string>("--from") { Description = "A replica of this archive (segments and blobs), a bag from amber export --bagit (blobs), or s3://BUCKET[/PREFIX]: the object store this node ships its shard to (credentials from AWS_*), to copy intact files from", Required = true };
        var command = new Command("repair", "Restore damaged segments and blobs from another copy after checking their hashes, then verify; damaged originals are kept in damaged/") { from, CommonOptions.Json };
        command.SetAction(parse => RepairCommand.Run(env(parse), parse.GetValue(from)!, parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
