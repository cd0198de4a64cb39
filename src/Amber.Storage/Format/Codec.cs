namespace Amber.Storage.Format;

/// <summary>How a frame's payload is encoded.</summary>
internal enum Codec : byte
{
    None = 0,
    Zstd = 1,
    ZstdDictionary = 2,

    /// <summary>One zstd frame of a packed commit stream (record-frame.md §10).</summary>
    PackedZstd = 3,

    /// <summary>One zstd frame of a packed commit stream, compressed with the named dictionary.</summary>
    PackedZstdDictionary = 4,

    /// <summary>An encrypted archive's commit: the info in the clear, each conversation's entries in its own encrypted block (encryption.md §5).</summary>
    SealedBlocks = 5,
}
