namespace Amber.Storage.Reading;

/// <summary>What the archive holds and what it costs to hold it.</summary>
public sealed record ArchiveStats(
    long Conversations,
    long Instances,
    long Nodes,
    long Commits,
    long Blobs,
    long RawBytes,
    long StoredBytes,
    long SegmentBytes,
    long ExternalBlobBytes,
    long IndexBytes,
    int Segments,
    int Dictionaries,
    IReadOnlyDictionary<string, long> InstancesByTier,
    IReadOnlyDictionary<string, long> ConversationsByTier,
    IReadOnlyDictionary<string, long> TurnsByModel)
{
    /// <summary>How far the index, which the counts come from, is behind the acknowledged commits (measured just after them).</summary>
    public IndexLag IndexLag { get; init; } = new(0, 0, 0);

    /// <summary>Stored bytes over raw bytes (0 when nothing raw is kept).</summary>
    public double Ratio => RawBytes == 0 ? 0 : (double)StoredBytes / RawBytes;
}
