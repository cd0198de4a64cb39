namespace Amber.Storage;

/// <summary>What a durable commit added.</summary>
/// <param name="Sequence">The commit's position in the archive's history (1-based), later its log index.</param>
/// <param name="InfoId">The content id of the commit info record (the log entry).</param>
public sealed record CommitResult(long Sequence, string InfoId, uint Segment, long Offset, int NewNodes, int NewBlobs, long StoredBytes, IReadOnlyList<string> Conversations)
{
    /// <summary>The archive already held everything in the batch, so nothing was written (Sequence is 0).</summary>
    public bool Unchanged { get; init; }
}
