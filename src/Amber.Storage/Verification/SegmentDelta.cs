namespace Amber.Storage.Verification;

/// <summary>
/// What one segment's deep check added to the state later segments are checked against (ids met, the log's leaves, the
/// dictionaries), and where its data ends: a segment skipped through the memo hands this on instead of being decoded.
/// </summary>
internal sealed class SegmentDelta
{
    public List<(string Id, uint Segment, long Offset, int EntryOffset)> Nodes { get; } = [];

    /// <summary>Each blob entry in order (a later entry for the same id overwrites, as in the scan); the size of an external one.</summary>
    public List<(string Id, bool External, long Size)> Blobs { get; } = [];

    public List<string> Models { get; } = [];

    public List<string> Conversations { get; } = [];

    /// <summary>The log's leaf hash of each commit info, in order.</summary>
    public List<byte[]> LogLeaves { get; } = [];

    /// <summary>Offsets of the dictionary frames (read again when a skipped segment precedes one deep-checked).</summary>
    public List<long> Dictionaries { get; } = [];

    public long Frames { get; set; }

    /// <summary>Where valid data ends in the segment (the checkpoint must not claim beyond it).</summary>
    public long End { get; set; }

    public bool HadFooter { get; set; }

    public long LastSeq { get; set; }

    /// <summary>The largest checkpoint size the log check had met by the segment's end, or -1.</summary>
    public long LatestCheckpoint { get; set; } = -1;

    /// <summary>Conversations this process could not open: a segment holding any is never memoised (its check depends on keys).</summary>
    public int Locked { get; set; }
}
