using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;

namespace Amber.Storage.Log;

/// <summary>The one test that a signed checkpoint speaks for a tree: it covers no more entries than the tree holds, and the tree's root at its size is its root.</summary>
internal static class TreeCheckpoints
{
    public static bool Covers(this MerkleTree tree, Checkpoint checkpoint)
        => checkpoint.Size <= tree.Size && tree.GetRoot(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.RootHash.Span);
}
