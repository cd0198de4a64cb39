using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Index.Rebuild;

internal static class IndexRebuildCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var catalog = new Option<string?>("--catalog")
        {
            Description = "Rebuild the cluster archive's PostgreSQL catalogue at this connection string instead of the SQLite index",
            HelpName = "CONNECTION",
        };
        var schema = new Option<string>("--catalog-schema")
        {
            Description = "The PostgreSQL schema that holds the catalogue",
            HelpName = "NAME",
            DefaultValueFactory = _ => "amber",
        };
        var fromStore = new Option<bool>("--from-store")
        {
            Description = "With --catalog: rebuild it from every shard in the cluster's object store (AMBER_STORE, credentials from AWS_*), not from this archive",
        };
        var rebuild = new Command("rebuild", "Drop the index (the SQLite index, or with --catalog the PostgreSQL catalogue) and rebuild it from the segments alone")
        {
            catalog, schema, fromStore, CommonOptions.Json,
        };
        rebuild.Validators.Add(r =>
        {
            if (r.GetValue(fromStore) && r.GetValue(catalog) is null)
            {
                r.AddError("--from-store rebuilds the PostgreSQL catalogue: give it with --catalog CONNECTION.");
            }
        });
        rebuild.SetAction(parse => parse.GetValue(catalog) is { } connection
            ? CatalogueRebuildCommand.Run(env(parse), connection, parse.GetValue(schema)!, parse.GetValue(fromStore), parse.GetValue(CommonOptions.Json))
            : IndexRebuildCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return new Command("index", "The archive's index (derived state): the SQLite index, or a cluster archive's PostgreSQL catalogue") { rebuild };
    }
}
