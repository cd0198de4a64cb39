using Amber.Storage.Index;

namespace Amber.Storage.Verification;

/// <summary>
/// What the segment scan read at one place, handed to the index audit (<see cref="ScannedFrames"/>): a frame with its
/// commit decoded (null for a dictionary or checkpoint frame), a footer, or damage after which the audit reads the
/// segments itself.
/// </summary>
internal sealed record ScannedFrame(ScannedFrame.Kinds Kind, uint Segment, long Offset, long SegmentLength, byte[]? Frame = null, IndexedCommit? Commit = null)
{
    public enum Kinds
    {
        Frame,
        Footer,
        Damaged,
    }

    public long Next => Offset + (Frame?.Length ?? 0);
}
