using Amber.Cli.Infrastructure;
using Amber.Cluster.Shipping;
using Amber.Storage.Repair;
using Amber.Transparency.Notes;

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

    /// <summary>Restores this archive's shard into a scratch folder, repairs the archive from it, and deletes the folder.</summary>
    public static RepairReport Repair(CliEnvironment env, string url)
    {
        var node = NodeOf(env.ArchiveDirectory);
        var scratch = Directory.CreateTempSubdirectory("amber-repair-");
        try
        {
            using (var store = ClusterEngines.OpenStoreForReadingAsync(env, url, CancellationToken.None).GetAwaiter().GetResult())
            {
                ShardRestorer.RestoreAsync(store, node, scratch.FullName).GetAwaiter().GetResult();
            }

            return ArchiveRepair.Run(env.ArchiveDirectory, scratch.FullName);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The node whose shard this archive is, from its log's origin (the key line's name); an error naming log/vkey otherwise.</summary>
    private static string NodeOf(string archive)
    {
        var vkey = Path.Combine(archive, "log", "vkey");
        if (!File.Exists(vkey))
        {
            throw new InvalidOperationException($"{vkey} is missing: the archive's node, whose shard the object store holds, cannot be known.");
        }

        string origin;
        try
        {
            origin = NoteVerifierKey.Parse(File.ReadAllText(vkey).Trim()).Name;
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{vkey} is damaged ({e.Message}): the archive's node, whose shard the object store holds, cannot be known.", e);
        }

        return NodeName.OfOrigin(origin)
            ?? throw new InvalidOperationException($"{vkey}: the log's origin is \"{origin}\", not a cluster node's (amber.node/NAME); only a node (`amber serve --node NAME`) ships its shard to an object store to repair from.");
    }
}
