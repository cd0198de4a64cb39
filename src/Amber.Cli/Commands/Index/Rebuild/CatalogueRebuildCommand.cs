using System.Diagnostics;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Cluster.Catalogue;
using Npgsql;

namespace Amber.Cli.Commands.Index.Rebuild;

/// <summary><c>amber index rebuild --catalog CONNECTION</c>: the PostgreSQL catalogue rebuilt from the segments alone.</summary>
internal static class CatalogueRebuildCommand
{
    public static int Run(CliEnvironment env, string connection, string schema, bool json)
    {
        using var archive = env.OpenWriter();
        if (archive is null)
        {
            return ExitCodes.Failed;
        }

        var clock = Stopwatch.StartNew();
        CatalogueRebuild report;
        try
        {
            var catalogue = PostgresCatalogue.Open(connection, schema);
            try
            {
                report = ProgressDisplay.Run(env, "catalogue rebuild", p => catalogue.RebuildAsync(archive, p).GetAwaiter().GetResult(), ProgressDisplay.Scan("catalogue rebuild"));
            }
            finally
            {
                catalogue.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException)
        {
            // The connection string may hold a password: name the server's answer, never the string.
            env.Error.WriteLine($"amber: the PostgreSQL catalogue could not be rebuilt: {e.Message}");
            return ExitCodes.Failed;
        }

        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject
            {
                ["catalog"] = "postgresql",
                ["schema"] = schema,
                ["frames"] = report.Frames,
                ["conversations"] = report.Conversations,
                ["nodes"] = report.Nodes,
                ["texts"] = report.Texts,
                ["seconds"] = clock.Elapsed.TotalSeconds,
            });
        }
        else
        {
            env.Out.WriteLine($"Rebuilt the PostgreSQL catalogue (schema {schema}) from {report.Frames} frame(s): {report.Conversations} conversations, "
                + $"{report.Nodes} nodes, {report.Texts} messages searchable ({clock.Elapsed.TotalSeconds:0.00} s).");
        }

        return ExitCodes.Ok;
    }
}
