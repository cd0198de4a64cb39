using Amber.Core.Model;

namespace Amber.Import;

/// <summary>
/// One source conversation, normalized: its record, its nodes in parent-first order (every source node,
/// hidden and empty ones flagged), the models and blobs they name, and the exact raw source bytes.
/// </summary>
public sealed record ImportedConversation
{
    public required ConversationRecord Record { get; init; }

    /// <summary>Parent before child. Parents are nodes of this list (or of an earlier import of the same conversation).</summary>
    public required IReadOnlyList<Node> Nodes { get; init; }

    /// <summary>
    /// The nodes with their canonical bytes and ids, when the format computed them (to name parents): the importer
    /// then hands these to the archive instead of canonicalizing each node again. Used only where each entry's
    /// <see cref="CanonicalNode.Node"/> is the very object at the same place in <see cref="Nodes"/>.
    /// </summary>
    public IReadOnlyList<CanonicalNode>? Canonical { get; init; }

    /// <summary>The source object exactly as it appeared in the input.</summary>
    public required ReadOnlyMemory<byte> Raw { get; init; }

    public IReadOnlyList<ModelReference> Models { get; init; } = [];

    /// <summary>Attachment and asset bytes the nodes refer to (by content id).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Blobs { get; init; } = [];

    /// <summary>What the format did not import exactly as given (unmapped fields, unplaced records, inferred models, decisions the source does not state); counted in the summary.</summary>
    public IReadOnlyList<ImportNote> Notes { get; init; } = [];

    /// <summary>Other files kept with the import (a Claude export's users.json, projects.json, …).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Companions { get; init; } = [];
}
