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

}
