namespace Amber.Storage.Format;

/// <summary>What a frame carries.</summary>
internal enum FrameKind : byte
{
    /// <summary>One atomic commit: a sequence of entries (commit info, conversations, models, nodes, blobs).</summary>
    Commit = 1,

    /// <summary>A trained zstd dictionary, kept as permanently as the frames compressed with it.</summary>
    Dictionary = 2,

    /// <summary>A signed checkpoint of the transparency log (a C2SP signed note), written with the commits it covers.</summary>
    Checkpoint = 3,

    /// <summary>
    /// Several commits merged by a compaction (segment.md §14, record-frame.md §4a): their entry sequences one after
    /// another, each starting with its Info entry, compressed together so the matcher sees across them. Only in a
    /// sealed segment of version 4.
    /// </summary>
    Commits = 4,
}
