namespace Amber.Storage.Index;

/// <summary>
/// The relational tables of the index (schema <see cref="ArchiveIndex.SchemaVersion"/>), as the row derivation writes
/// them and verify compares them. Must match <c>ArchiveIndex</c>'s schema column for column.
/// </summary>
internal static class IndexTables
{
    public static readonly IndexTable Meta = new("meta", ["key", "value"], Keyed: false, Unique: [0]);

    public static readonly IndexTable Commits = new("commits", ["seq", "segment", "offset", "length", "time", "leaf_hash"], Keyed: false, Unique: [0]);

    public static readonly IndexTable Checkpoints = new("checkpoints", ["size", "segment", "offset", "note"], Keyed: false, Unique: [1, 2]);

    public static readonly IndexTable Dictionaries = new("dictionaries", ["dict_id", "label", "segment", "offset", "size"], Keyed: false, Unique: [0]);

    public static readonly IndexTable Conversations = new("conversations",
        ["k", "id", "format", "source", "source_id", "title", "created", "updated", "nodes", "instances", "tier", "models", "raw_bytes", "last_seq",
            "segment", "offset", "entry_offset", "entry_length"], Keyed: true, Unique: [1]);

    public static readonly IndexTable Nodes = new("nodes",
        ["k", "id", "parent", "created", "model", "tier", "segment", "offset", "entry_offset", "entry_length", "tenant", "tokens_in", "tokens_out"], Keyed: true, Unique: []);

    public static readonly IndexTable ConversationNodes = new("conversation_nodes", ["conversation", "node", "seq"], Keyed: false, Unique: [0, 1]);

    public static readonly IndexTable Instances = new("instances", ["conversation", "leaf", "depth", "tier"], Keyed: false, Unique: [0, 1]);

    public static readonly IndexTable Blobs = new("blobs",
        ["k", "id", "size", "external", "seq", "segment", "offset", "entry_offset", "entry_length"], Keyed: true, Unique: [1]);

    public static readonly IndexTable ConversationRaw = new("conversation_raw", ["conversation", "blob", "seq"], Keyed: false, Unique: [0, 1]);

    public static readonly IndexTable Models = new("models", ["k", "id", "record", "name"], Keyed: true, Unique: [1]);

    public static readonly IndexTable NodeKeys = new("node_keys", ["key", "node"], Keyed: false, Unique: [0]);

    public static readonly IndexTable Annotations = new("annotations", ["k", "id", "target", "kind", "created", "record", "seq"], Keyed: true, Unique: [1]);

    /// <summary>Every relational table, in name order (the order verify reports them in).</summary>
    public static readonly IReadOnlyList<IndexTable> All =
        [Annotations, Blobs, Checkpoints, Commits, ConversationNodes, ConversationRaw, Conversations, Dictionaries, Instances, Meta, Models, NodeKeys, Nodes];
}
