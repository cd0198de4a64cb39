namespace Amber.Storage.Commits;

/// <summary>
/// Which conversation of a batch each node, blob and annotation belongs to in an encrypted archive (encryption.md §5):
/// its entries go into that conversation's block, under its data key. A node or blob listed by several conversations
/// goes to the first; a blob no node or raw list names goes to the batch's first conversation; with no conversation in
/// the batch (a model or annotation alone) entries stay in the clear.
/// </summary>
internal sealed class ContentOwners
{
    private readonly Dictionary<string, string> owners = new(StringComparer.Ordinal);
    private readonly string? first;

    public ContentOwners(CommitBatch batch)
    {
        var nodes = batch.Nodes.ToDictionary(n => n.Id, n => n.Node, StringComparer.Ordinal);
        foreach (var part in batch.Conversations)
        {
            first ??= part.Id;
            owners.TryAdd(part.Id, part.Id);
            foreach (var raw in part.Raw)
            {
                owners.TryAdd(raw, part.Id);
            }

            foreach (var id in part.NodeIds)
            {
                owners.TryAdd(id, part.Id);
                if (!nodes.TryGetValue(id, out var node))
                {
                    continue;
                }

                foreach (var blob in node.BlobReferences())
                {
                    owners.TryAdd(blob.Blob, part.Id);
                }

                if (node.Generation?.State is { } state)
                {
                    owners.TryAdd(state, part.Id);
                }
            }
        }
    }

    /// <summary>The conversation whose block holds the node with this id; null (clear) only when the batch has no conversation.</summary>
    public string? Node(string id) => owners.GetValueOrDefault(id) ?? first;

    public string? Blob(string id) => owners.GetValueOrDefault(id) ?? first;

    /// <summary>An annotation goes with its target's conversation when the target is in this batch; else it stays in the clear.</summary>
    public string? Annotation(string target) => owners.GetValueOrDefault(target);
}
