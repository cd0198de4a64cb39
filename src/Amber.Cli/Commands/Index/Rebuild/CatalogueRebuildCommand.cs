using System.Diagnostics;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Amber.Cluster.Shipping;
using Amber.Storage;
using Npgsql;

namespace Amber.Cli.Commands.Index.Rebuild;

/// <summary>
/// <c>amber index rebuild --catalog CONNECTION</c>: the PostgreSQL catalogue rebuilt from the segments alone — of this
/// archive when it is the catalogue's only shard, or with <c>--from-store</c> of every shard in the object store.
/// </summary>
internal static class CatalogueRebuildCommand
{
    public static int Run(CliEnvironment env, string connection, string schema, bool fromStore, bool json)
    {
        var clock = Stopwatch.StartNew();
        CatalogueRebuild report;
        int shards;
        try
        {
            var catalogue = PostgresCatalogue.Open(connection, schema);
            try
            {
                (report, shards) = fromStore ? FromStore(env, catalogue) : FromArchive(env, catalogue);
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
        catch (Exception e) when (e is InvalidOperationException or FormatException or ObjectStoreException or CorruptArchiveException)
        {
            env.Error.WriteLine($"amber: the PostgreSQL catalogue was not rebuilt: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (NoArchiveException)
        {
            return ExitCodes.Failed;
        }

        if (json)
        {
            var line = new JsonObject
            {
                ["catalog"] = "postgresql",
                ["schema"] = schema,
                ["frames"] = report.Frames,
                ["conversations"] = report.Conversations,
                ["nodes"] = report.Nodes,
                ["texts"] = report.Texts,
                ["seconds"] = clock.Elapsed.TotalSeconds,
            };
            if (fromStore)
            {
                line["shards"] = shards;
            }

            Output.JsonLine(env.Out, line);
        }
        else
        {
            env.Out.WriteLine($"Rebuilt the PostgreSQL catalogue (schema {schema}) from {report.Frames} frame(s)"
                + (fromStore ? $" of {shards} shard(s) in the object store" : "")
                + $": {report.Conversations} conversations, {report.Nodes} nodes, {report.Texts} messages searchable ({clock.Elapsed.TotalSeconds:0.00} s).");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The shard this archive is in a catalogue: a node's name (its log origin <c>amber.node/NAME</c>), else the archive's id.</summary>
    public static string ShardOf(Archive archive) => NodeName.OfOrigin(archive.Log.Origin) ?? archive.ArchiveId;

    /// <summary>
    /// This archive alone replaces the catalogue only when the catalogue holds no other shard: rebuilding from one node's
    /// folder must not drop the rows of the others.
    /// </summary>
    private static (CatalogueRebuild, int) FromArchive(CliEnvironment env, PostgresCatalogue catalogue)
    {
        using var archive = env.OpenWriter() ?? throw new NoArchiveException();
        var shard = ShardOf(archive);
        var others = catalogue.ShardsAsync().GetAwaiter().GetResult().Where(s => s.Shard != shard).Select(s => s.Shard).ToList();
        if (others.Count > 0)
        {
            throw new InvalidOperationException(
                $"the catalogue (schema {catalogue.Schema}) holds the shard(s) {string.Join(", ", others)} besides this archive's ({shard}); rebuilding it from this archive "
                + "alone would drop their rows. Rebuild it from every shard in the object store with `amber index rebuild --catalog ... --from-store` (AMBER_STORE).");
        }

        var report = ProgressDisplay.Run(env, "catalogue rebuild", p => catalogue.RebuildAsync(archive, p, shard: shard).GetAwaiter().GetResult(), ProgressDisplay.Scan("catalogue rebuild"));
        return (report, 1);
    }

    /// <summary>Every shard the object store holds, restored into a scratch folder (without its signing key, which the store never holds) and applied.</summary>
    private static (CatalogueRebuild, int) FromStore(CliEnvironment env, PostgresCatalogue catalogue)
    {
        using var store = ClusterEngines.OpenStoreForReadingAsync(env, CancellationToken.None).GetAwaiter().GetResult();
        var names = ShardRestorer.ListShardsAsync(store).GetAwaiter().GetResult();
        if (names.Count == 0)
        {
            throw new InvalidOperationException($"{store.Location} holds no shard (no shards/NODE/archive.json): nothing to rebuild the catalogue from.");
        }

        var scratch = Directory.CreateTempSubdirectory("amber-shards-");
        var archives = new List<(string Shard, Archive Archive)>();
        try
        {
            foreach (var name in names)
            {
                var folder = Path.Combine(scratch.FullName, name);
                ShardRestorer.RestoreAsync(store, name, folder).GetAwaiter().GetResult();
                archives.Add((name, Archive.Open(new ArchiveOptions { Directory = folder })));
            }

            return (catalogue.RebuildShardsAsync(archives).GetAwaiter().GetResult(), names.Count);
        }
        finally
        {
            foreach (var (_, archive) in archives)
            {
                archive.Dispose();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The archive could not be opened; <see cref="CliEnvironment.OpenWriter"/> has said why.</summary>
    private sealed class NoArchiveException : Exception;
}
