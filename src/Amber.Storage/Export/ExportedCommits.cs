using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Storage.Format;
using Amber.Transparency.Merkle;

namespace Amber.Storage.Export;

/// <summary>
/// Reads the commits of a log range from their frames, each checked against its authenticated leaf, so a bag carries
/// what the log signs and not what the index says.
/// </summary>
internal static class ExportedCommits
{
    public static IEnumerable<ExportedCommit> Read(Archive archive, long fromSize, long toSize)
    {
        var located = archive.CommitLocations(fromSize, toSize);
        if (located.Count != toSize - fromSize || (located.Count > 0 && located[0].Seq != fromSize + 1))
        {
            throw new CorruptArchiveException($"The index lists {located.Count} of the commits {fromSize + 1}..{toSize}; run `amber index rebuild` before exporting.");
        }

        foreach (var (seq, segment, offset) in located)
        {
            yield return Decode(archive, seq, CommitPayload.Read(archive.ReadCommitPayload(segment, offset, seq)));
        }
    }

    private static ExportedCommit Decode(Archive archive, long seq, List<CommitPayload.Entry> entries)
    {
        if (entries.Count == 0 || entries[0].Type != EntryType.Info
            || !MerkleHash.HashLeaf(entries[0].Body.Span).AsSpan().SequenceEqual(archive.Log.LeafHash(seq - 1)))
        {
            throw new CorruptArchiveException($"The commit frame the index places for commit {seq} is not that commit's log entry; run `amber verify`.");
        }

        var entry = entries[0].Body.ToArray();
        var info = JsonNode.Parse(entry) as JsonObject ?? throw new CorruptArchiveException($"commit {seq}: its info is not a JSON object.");
        var conversations = new List<(string, byte[], List<string>)>();
        var blobs = new List<string>();
        var nodes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var models = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var annotations = new List<(string, byte[])>();
        byte[]? record = null;
        foreach (var e in entries.Skip(1))
        {
            switch (e.Type)
            {
                case EntryType.Conversation:
                    record = e.Body.ToArray();
                    break;
                case EntryType.Membership:
                    var m = (JsonObject)JsonNode.Parse(e.Body.Span)!;
                    var id = m["conversation"]!.GetValue<string>();
                    conversations.Add((id, record ?? throw new CorruptArchiveException($"commit {seq}: the membership of {id} comes before its record."), m["nodes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList()));
                    record = null;
                    break;
                case EntryType.Blob:
                case EntryType.ExternalBlob:
                    blobs.Add(ContentId.Format(e.Body.Span[..32]));
                    break;
                case EntryType.Node:
                    nodes[ContentId.Of(e.Body.Span)] = e.Body.ToArray();
                    break;
                case EntryType.Model:
                    models[ContentId.Of(e.Body.Span)] = e.Body.ToArray();
                    break;
                case EntryType.Annotation:
                    annotations.Add((ContentId.Of(e.Body.Span), e.Body.ToArray()));
                    break;
                default:
                    break;
            }
        }

        // A codec-5 frame (encryption.md §5) holds each conversation's entries in its own block, blocks in the order
        // their first entry came (a conversation whose raw bytes were already stored comes after those with new blobs),
        // not necessarily the entry's order: the bag lists them in the entry's order, which the import commits again.
        var order = (info["conversations"] as JsonArray ?? []).Select((c, i) => (Id: c!["id"]!.GetValue<string>(), i)).ToDictionary(c => c.Id, c => c.i, StringComparer.Ordinal);
        conversations = [.. conversations.OrderBy(c => order.GetValueOrDefault(c.Item1, int.MaxValue))];
        if (info["blobs_sha256"]?.GetValue<string>() is { } signed && signed != CommitInfo.NodesDigest(blobs))
        {
            throw new CorruptArchiveException($"commit {seq}: its frame holds its blobs in another order than its log entry signs; a bag of it could not be imported again.");
        }

        return new ExportedCommit
        {
            Seq = seq,
            Entry = entry,
            Conversations = conversations,
            Blobs = blobs,
            Nodes = nodes,
            Models = models,
            Annotations = annotations,
            Tenant = info["tenant"]?.GetValue<string>(),
        };
    }
}
