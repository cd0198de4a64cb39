using Amber.Cli.Infrastructure;
using Amber.Cluster.Objects;
using Amber.Cluster.Shipping;

namespace Amber.Cli.Commands.Repair;

/// <summary>
/// <c>amber repair --from s3://BUCKET[/PREFIX]</c>: a cluster node's own shard, given back from the object store into a
/// scratch folder, is the replica the damaged files are restored from. The node is the one the archive's log names
/// (<c>log/vkey</c>'s origin, <c>amber.node/NAME</c>); its objects are read as they were put, and every file taken from
/// them passes the same checks as a replica's (<c>ArchiveRepair</c>).
/// </summary>
internal static class ShardReplica
{
    public static bool Names(string from) => from.StartsWith("s3://", StringComparison.Ordinal);

    /// <summary>Restores this archive's shard into a new scratch folder, returned; the caller deletes it.</summary>
    public static DirectoryInfo Restore(CliEnvironment env, string url)
    {
        var node = NodeOf(env.ArchiveDirectory);
        using var store = ClusterEngines.OpenStoreForReadingAsync(env, url, CancellationToken.None).GetAwaiter().GetResult();
        var scratch = Directory.CreateTempSubdirectory("amber-repair-");
        try
        {
            ShardRestorer.RestoreAsync(store, node, Path.Combine(scratch.FullName, "shard")).GetAwaiter().GetResult();
            return scratch;
        }
        catch
        {
            scratch.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>The node whose shard this archive is, from its log's origin; an error naming log/vkey otherwise.</summary>
    private static string NodeOf(string archive)
    {
        var vkey = Path.Combine(archive, "log", "vkey");
        if (!File.Exists(vkey))
        {
            throw new InvalidOperationException($"{vkey} is missing: the archive's node, whose shard the object store holds, cannot be known.");
        }

        var line = File.ReadAllText(vkey).Trim();
        var origin = line.Split('+')[0];
        return NodeName.OfOrigin(origin)
            ?? throw new InvalidOperationException($"{vkey}: the log's origin is \"{origin}\", not a cluster node's (amber.node/NAME); only a node (`amber serve --node NAME`) ships its shard to an object store to repair from.");
    }
}
