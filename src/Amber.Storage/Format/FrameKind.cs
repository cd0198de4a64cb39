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
}
