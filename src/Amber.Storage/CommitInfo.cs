using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;

namespace Amber.Storage;

/// <summary>
/// The commit info record: the first entry of every commit and the commit's transparency-log entry. It stays
/// small (under 64 KiB) whatever the commit holds: a conversation's nodes are named by a digest of their ids
/// (the full list is the commit's Membership entry), and its new instances by their leaf ids.
/// </summary>
public static class CommitInfo
{
    public const string RecordType = "amber.commit/v1";

    /// <summary>The largest info record (the tlog-tiles entry limit).</summary>
    public const int MaxBytes = 65_535;

    /// <summary>Ids beyond this many leaves are named by digest only.</summary>
    public const int MaxLeavesListed = 256;

    /// <summary>sha256 over the node ids joined by "\n" (UTF-8), as a content id.</summary>
    public static string NodesDigest(IEnumerable<string> nodeIds) => ContentId.Format(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', nodeIds))));

    /// <summary>The nodes of a commit's share of a conversation that have no child within it: the instances it adds or extends.</summary>
    public static List<string> Leaves(IReadOnlyList<(string Id, string? Parent)> nodes)
    {
        var parents = new HashSet<string>(nodes.Where(n => n.Parent is not null).Select(n => n.Parent!), StringComparer.Ordinal);
        return nodes.Where(n => !parents.Contains(n.Id)).Select(n => n.Id).ToList();
    }

    public static JsonObject Conversation(string id, IReadOnlyList<string> nodeIds, IReadOnlyList<string> leaves, IReadOnlyList<string> raw)
    {
        var o = new JsonObject
        {
            ["id"] = id,
            ["node_count"] = nodeIds.Count,
            ["nodes_sha256"] = NodesDigest(nodeIds),
            ["leaf_count"] = leaves.Count,
            ["raw"] = new JsonArray(raw.Select(r => (JsonNode)r).ToArray()),
        };
        if (leaves.Count <= MaxLeavesListed)
        {
            o["leaves"] = new JsonArray(leaves.Select(l => (JsonNode)l).ToArray());
        }
        else
        {
            o["leaves_sha256"] = NodesDigest(leaves);
        }

        return o;
    }

    public static JsonObject Membership(string conversationId, IReadOnlyList<string> nodeIds) => new()
    {
        ["conversation"] = conversationId,
        ["nodes"] = new JsonArray(nodeIds.Select(n => (JsonNode)n).ToArray()),
    };
}
