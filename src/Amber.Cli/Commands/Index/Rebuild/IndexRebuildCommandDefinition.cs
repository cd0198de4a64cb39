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
        var rebuild = new Command("rebuild", "Drop the index (the SQLite index, or with --catalog the PostgreSQL catalogue) and rebuild it from the segments alone")
        {
            catalog, schema, CommonOptions.Json,
        };
        rebuild.SetAction(parse => parse.GetValue(catalog) is { } connection
            ? CatalogueRebuildCommand.Run(env(parse), connection, parse.GetValue(schema)!, parse.GetValue(CommonOptions.Json))
            : IndexRebuildCommand.Run(env(parse), parse.GetValue(CommonOptions.Json)));
        return new Command("index", "The archive's index (derived state): the SQLite index, or a cluster archive's PostgreSQL catalogue") { rebuild };
    }
}
