using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Export;

internal static class ExportCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var bagit = new Option<string>("--bagit") { Description = "Write a BagIt 1.0 bag (RFC 8493) into this new or empty folder; its FORMAT.md explains every file", Required = true, HelpName = "DIR" };
        var since = new Option<string?>("--since") { Description = "Only the commits after a previous export: its bag folder, its data/log/checkpoint file, or a tree size", HelpName = "CHECKPOINT" };
        var tenant = new Option<string?>("--tenant") { Description = "Only the commits of this tenant (the keyed hash the gateway records in each log entry)", HelpName = "T" };
        var command = new Command("export", "Export the archive as a bag anyone can read without Amber; amber import reads it back") { bagit, since, tenant, CommonOptions.Json };
        command.SetAction(parse => ExportCommand.Run(env(parse), parse.GetValue(bagit)!, parse.GetValue(since), parse.GetValue(tenant), parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
