using Amber.Core.Hashing;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Import.Sources;

namespace Amber.Benchmarks;

/// <summary>
/// The corpus as the real importers produce it, and what an archive then has to store, hash and index:
/// each conversation's raw bytes, the canonical bytes of the nodes it adds (a node already seen is stored
/// once), and the full-text rows (a node's <c>SearchText</c> and id, one row per stored node with text).
/// </summary>
public sealed class FloorsInput
{
    private FloorsInput(int conversations, int nodes, List<byte[]> raw, List<List<byte[]>> nodeBytes, List<(string Text, string Node)> texts, long blobBytes)
    {
        ConversationCount = conversations;
        NodeCount = nodes;
        Raw = raw;
        NodeBytes = nodeBytes;
        Texts = texts;
        BlobBytes = blobBytes;
    }

    public int ConversationCount { get; }

    /// <summary>Nodes the importers produced, repeats included.</summary>
    public int NodeCount { get; }

    /// <summary>Each conversation's raw source object, in import order.</summary>
    public IReadOnlyList<byte[]> Raw { get; }

    /// <summary>Per conversation, the canonical bytes of the nodes it stores (those not stored by an earlier conversation).</summary>
    public IReadOnlyList<List<byte[]>> NodeBytes { get; }

    /// <summary>The rows the index's <c>node_text</c> table receives: <c>(node.SearchText, node id)</c> for each stored node whose text is not empty.</summary>
    public IReadOnlyList<(string Text, string Node)> Texts { get; }

    /// <summary>Attachment and companion bytes the importers supplied besides the raw objects (not part of the floors).</summary>
    public long BlobBytes { get; }

    public int StoredNodeCount => NodeBytes.Sum(n => n.Count);

    public long RawByteCount => Raw.Sum(r => (long)r.Length);

    public long NodeByteCount => NodeBytes.Sum(n => n.Sum(b => (long)b.Length));

    public long TextCharCount => Texts.Sum(t => (long)t.Text.Length);

    public long TextUtf8Count => Texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t.Text));

    /// <summary>
    /// Detects and reads every file with the real importers, as <c>ImportCommand</c>'s "read + normalize + hash
    /// only" step does, and takes each node's search text. This is the importers' own parse cost.
    /// </summary>
    public static (List<ImportedConversation> Conversations, List<string> SearchTexts) Parse(IReadOnlyList<string> files)
    {
        var conversations = new List<ImportedConversation>();
        var texts = new List<string>();
        foreach (var f in files)
        {
            var input = ImportSources.FileInput(f);
            var format = FormatRegistry.Detect(input, FormatRegistry.All)
                ?? throw new InvalidOperationException($"{f}: no importer recognizes this file.");
            foreach (var c in format.Read(input, CancellationToken.None))
            {
                conversations.Add(c);
                foreach (var node in c.Nodes)
                {
                    texts.Add(node.SearchText);
                }
            }
        }

        return (conversations, texts);
    }

    /// <summary>The canonical bytes of every node, in the order of <see cref="Parse"/>.</summary>
    public static List<byte[]> Canonicalize(List<ImportedConversation> conversations)
    {
        var list = new List<byte[]>();
        foreach (var c in conversations)
        {
            foreach (var node in c.Nodes)
            {
                list.Add(node.ToCanonicalBytes());
            }
        }

        return list;
    }

    /// <summary>Keeps the first occurrence of each node (by id), as the archive stores it, with its full-text row.</summary>
    public static FloorsInput Build(List<ImportedConversation> conversations, List<string> searchTexts, List<byte[]> canonical)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var raw = new List<byte[]>(conversations.Count);
        var nodeBytes = new List<List<byte[]>>(conversations.Count);
        var texts = new List<(string, string)>();
        var i = 0;
        var nodes = 0;
        long blobs = 0;
        foreach (var c in conversations)
        {
            raw.Add(c.Raw.ToArray());
            blobs += c.Blobs.Sum(b => (long)b.Length) + c.Companions.Sum(b => (long)b.Length);
            var stored = new List<byte[]>();
            foreach (var _ in c.Nodes)
            {
                var bytes = canonical[i];
                var text = searchTexts[i];
                i++;
                nodes++;
                var id = ContentId.Of(bytes);
                if (!seen.Add(id))
                {
                    continue;
                }

                stored.Add(bytes);
                if (text.Length > 0)
                {
                    texts.Add((text, id));
                }
            }

            nodeBytes.Add(stored);
        }

        return new FloorsInput(conversations.Count, nodes, raw, nodeBytes, texts, blobs);
    }
}
