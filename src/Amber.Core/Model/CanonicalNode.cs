using Amber.Core.Hashing;

namespace Amber.Core.Model;

/// <summary>
/// A node with its canonical bytes and id, computed together once: an importer that needs a node's id (to name
/// it as the next node's parent) hands the archive the same bytes, instead of canonicalizing the node again.
/// </summary>
public sealed class CanonicalNode
{
    private readonly byte[] bytes;

    private CanonicalNode(Node node, byte[] bytes)
    {
        Node = node;
        this.bytes = bytes;
        Id = ContentId.Of(bytes);
    }

    public Node Node { get; }

    /// <summary>The canonical JSON that is stored and hashed (<see cref="Node.ToCanonicalBytes"/>).</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>The content id of <see cref="Bytes"/> (<see cref="Node.ComputeId"/>).</summary>
    public string Id { get; }

    public static CanonicalNode Of(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new CanonicalNode(node, node.ToCanonicalBytes());
    }

    /// <summary>
    /// Reads back bytes this process made with <see cref="Node.ToCanonicalBytes"/> (an import's first pass, kept in
    /// its spill file): the node is read from the bytes, so node, bytes and id agree. The bytes are not checked to be
    /// canonical; pass only bytes that came from <see cref="Of"/>.
    /// </summary>
    public static CanonicalNode FromCanonicalBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new CanonicalNode(Node.FromStoredBytes(bytes), bytes);
    }

}
