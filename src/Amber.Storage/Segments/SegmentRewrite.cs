namespace Amber.Storage.Segments;

/// <summary>
/// A sealed segment re-encoded into <see cref="TempPath"/> (complete, fsynced, not yet in place): where each of its
/// frames moved, and the new file's footer hash, which recovery compares to tell whether the rename happened.
/// </summary>
/// <param name="Moves">Every frame, in file order: its offset in the old file, its offset and length in the new one.</param>
internal sealed record SegmentRewrite(uint Number, string TempPath, long BytesBefore, long BytesAfter, byte[] NewSha256, IReadOnlyList<FrameMove> Moves);
