using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Init;

internal static class InitCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var command = new Command("init", "Create an empty archive");
        command.Options.Add(CommonOptions.NoEncryption); // read through the Encryption setting (CliEnvironment.EncryptNewArchives)
        var cluster = new Option<bool>("--cluster") { Description = "Make a cluster archive's engines ready instead of an archive folder: the bucket --store names, with Object Lock, and the catalogue schema in --catalog" };
        var store = new Option<string?>("--store") { Description = "With --cluster: the object store, s3://BUCKET[/PREFIX] (default: $AMBER_STORE; credentials from AWS_*)" };
        var catalog = new Option<string?>("--catalog") { Description = "With --cluster: the PostgreSQL catalogue, an Npgsql connection string (default: $AMBER_CATALOG)" };
        var catalogSchema = new Option<string>("--catalog-schema") { Description = "The PostgreSQL schema that holds the catalogue", DefaultValueFactory = _ => "amber" };
        var lockMode = new Option<string>("--lock-mode") { Description = "With --cluster: the bucket's default Object Lock mode", DefaultValueFactory = _ => "compliance" }.AcceptOnlyFromAmong("compliance", "governance");
        var retention = new Option<string>("--retention-days") { Description = "With --cluster: the bucket's default retention", DefaultValueFactory = _ => "3650" };
        foreach (var option in new Option[] { cluster, store, catalog, catalogSchema, lockMode, retention, CommonOptions.Json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => parse.GetValue(cluster)
            ? ClusterInitCommand.Run(env(parse), parse.GetValue(CommonOptions.Json))
            : InitCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return command;
    }
}
