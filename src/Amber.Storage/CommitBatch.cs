using Amber.Core.Hashing;
using Amber.Core.Model;

namespace Amber.Storage;

/// <summary>
/// Everything one commit makes durable together: conversations with their nodes, model references,
/// blobs and the raw source bytes. Nodes must be added parent first; a parent may also already be in
/// the archive. Either the whole batch becomes durable, or none of it.
/// </summary>
public sealed class CommitBatch
{
    private readonly List<ConversationPart> conversations = [];
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReadOnlyMemory<byte>> blobs = new(StringComparer.Ordinal);
    private readonly List<(string Id, Node Node, byte[] Bytes)> nodes = [];
    private readonly Dictionary<string, int> nodeIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Annotation> annotations = new(StringComparer.Ordinal);

    /// <param name="kind">What produced the commit (chatgpt, claude, gateway:openai, …). Frames of one kind share a zstd dictionary.</param>
    public CommitBatch(string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        Kind = kind;
    }

    public string Kind { get; }

    /// <summary>A keyed hash naming who made the commit, without keeping their credential.</summary>
    public string? Tenant { get; set; }

    /// <summary>
    /// The commit time to record instead of the archive clock's. Only a replay of an exported log sets it (a bag
    /// import), so that each rebuilt log entry is byte-identical to the original and the Merkle tree is the same.
    /// </summary>
    public DateTimeOffset? Time { get; set; }

    public IReadOnlyList<ConversationPart> Conversations => conversations;

    public IReadOnlyDictionary<string, ModelReference> Models => models;

    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Blobs => blobs;

    internal IReadOnlyList<(string Id, Node Node, byte[] Bytes)> Nodes => nodes;

    /// <summary>Statements about stored (or newly added) nodes and conversations, by annotation id.</summary>
    public IReadOnlyDictionary<string, Annotation> Annotations => annotations;

    public bool IsEmpty => conversations.Count == 0 && models.Count == 0 && blobs.Count == 0 && annotations.Count == 0;

    public ConversationPart AddConversation(ConversationRecord record)
    {
        var part = new ConversationPart(this, record);
        conversations.Add(part);
        return part;
    }

    public string AddModel(ModelReference model)
    {
        var id = model.Id;
        models.TryAdd(id, model);
        return id;
    }

    /// <summary>Adds an annotation; its target must be in this batch or already stored. Returns its id.</summary>
    public string AddAnnotation(Annotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        var id = annotation.Id;
        annotations.TryAdd(id, annotation);
        return id;
    }

    /// <summary>Adds bytes to the blob store (stored once however often they are added); returns their content id.</summary>
    public string AddBlob(ReadOnlyMemory<byte> bytes)
    {
        var id = ContentId.Of(bytes.Span);
        blobs.TryAdd(id, bytes);
        return id;
    }

    internal bool ContainsNode(string id) => nodeIndex.ContainsKey(id);

    internal string AddNodeCore(CanonicalNode canonical)
    {
        var (id, node) = (canonical.Id, canonical.Node);
        if (!nodeIndex.ContainsKey(id))
        {
            nodeIndex[id] = nodes.Count;
            nodes.Add((id, node, canonical.Bytes.ToArray()));
        }

        return id;
    }

    /// <summary>One conversation's share of a batch.</summary>
    public sealed class ConversationPart
    {
        private readonly CommitBatch batch;
        private readonly List<string> nodeIds = [];
        private readonly HashSet<string> nodeSet = new(StringComparer.Ordinal);
        private readonly List<string> raw = [];

        internal ConversationPart(CommitBatch batch, ConversationRecord record)
        {
            this.batch = batch;
            Record = record;
        }

        public ConversationRecord Record { get; }

        public string Id => Record.Id;

        /// <summary>Ids of the nodes that belong to this conversation, in the order added.</summary>
        public IReadOnlyList<string> NodeIds => nodeIds;

        /// <summary>Content ids of the raw source objects this conversation was normalized from.</summary>
        public IReadOnlyList<string> Raw => raw;

        /// <summary>Adds a node (its parent first); returns its id.</summary>
        public string AddNode(Node node) => AddNode(CanonicalNode.Of(node));

        /// <summary>Adds a node whose canonical bytes and id were computed already (its parent first); returns its id.</summary>
        public string AddNode(CanonicalNode node)
        {
            ArgumentNullException.ThrowIfNull(node);
            var id = batch.AddNodeCore(node);
            if (nodeSet.Add(id))
            {
                nodeIds.Add(id);
            }

            return id;
        }

        /// <summary>Keeps the raw source bytes beside the normalized form.</summary>
        public string AddRaw(ReadOnlyMemory<byte> bytes)
        {
            var id = batch.AddBlob(bytes);
            if (!raw.Contains(id, StringComparer.Ordinal))
            {
                raw.Add(id);
            }

            return id;
        }
    }
}
