namespace Amber.Storage.Verification;

/// <summary>
/// What one segment's deep check added to the state later segments are checked against (ids met, the log's leaves, the
/// dictionaries), and where its data ends: a segment skipped through the memo hands this on instead of being decoded.
/// Read from <c>verify.memo</c>, the ids stay the bytes they were stored as until something asks for them
/// (<see cref="IdsDecoded"/>): a verify whose every segment is unchanged never needs them, only their counts.
/// </summary>
internal sealed class SegmentDelta
{
    private readonly List<(string Id, uint Segment, long Offset, int EntryOffset)> nodes = [];
    private readonly List<(string Id, bool External, long Size)> blobs = [];
    private readonly List<string> models = [];
    private readonly List<string> conversations = [];
    private readonly int nodeCount;

    public SegmentDelta()
    {
    }

    /// <summary>A delta read from the memo: its ids section kept as stored, with the counts the memo states beside it.</summary>
    public SegmentDelta(byte[] encodedIds, int nodeCount, int newBlobs)
    {
        EncodedIds = encodedIds;
        this.nodeCount = nodeCount;
        NewBlobs = newBlobs;
    }

    /// <summary>The ids section as <c>verify.memo</c> stores it, when the delta was read from one (written back as is).</summary>
    public byte[]? EncodedIds { get; }

    /// <summary>False while the ids read from the memo have not been needed.</summary>
    public bool IdsDecoded { get; private set; }

    /// <summary>Each node id first stored in this segment, and where.</summary>
    public List<(string Id, uint Segment, long Offset, int EntryOffset)> Nodes => Decoded(nodes);

    /// <summary>Each blob entry in order (a later entry for the same id overwrites, as in the scan); the size of an external one.</summary>
    public List<(string Id, bool External, long Size)> Blobs => Decoded(blobs);

    public List<string> Models => Decoded(models);

    public List<string> Conversations => Decoded(conversations);

    /// <summary>How many node ids this segment added (without decoding them).</summary>
    public int NodeCount => EncodedIds is null ? nodes.Count : nodeCount;

    /// <summary>How many distinct blob ids were first met in this segment.</summary>
    public int NewBlobs { get; set; }

    /// <summary>The external blob entries, in order (id and size): kept outside the ids section, since every verify needs them.</summary>
    public List<(string Id, long Size)> External { get; } = [];

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

    private List<T> Decoded<T>(List<T> list)
    {
        if (EncodedIds is not null && !IdsDecoded)
        {
            IdsDecoded = true;
            VerifyMemo.DecodeIds(EncodedIds, nodes, blobs, models, conversations);
            if (nodes.Count != nodeCount)
            {
                throw new FormatException($"the memo's ids section holds {nodes.Count} node(s), its count says {nodeCount}");
            }
        }

        return list;
    }
}
