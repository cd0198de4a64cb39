namespace Amber.Storage;

/// <summary>What a durable commit added.</summary>
/// <param name="Sequence">The commit's position in the archive's history (1-based), later its log index.</param>
/// <param name="InfoId">The content id of the commit info record (the log entry).</param>
/// <param name="Conversations">Every conversation the batch wrote to, new or not.</param>
public sealed record CommitResult(long Sequence, string InfoId, uint Segment, long Offset, int NewNodes, int NewBlobs, long StoredBytes, IReadOnlyList<string> Conversations)
{
    /// <summary>The archive already held everything in the batch, so nothing was written (Sequence is 0).</summary>
    public bool Unchanged { get; init; }

    /// <summary>
    /// The conversations this commit stored first (none of their records was in the archive, or in an earlier commit,
    /// before it), in batch order. Empty when <see cref="Unchanged"/>. Callers count new conversations from this
    /// rather than asking the index, which may not hold the commits acknowledged just before.
    /// </summary>
    public IReadOnlyList<string> NewConversations { get; init; } = [];
}
