namespace Amber.Storage.Verification;

/// <summary>
/// What the segment scan read at one place, handed to the index audit (<see cref="ScannedFrames"/>): a frame with its
/// commits decoded and checked, node ids and nodes included (one, several for a merged frame, null for a dictionary or
/// checkpoint frame), a footer, or damage after which the audit reads the segments itself.
/// </summary>
internal sealed record ScannedFrame(ScannedFrame.Kinds Kind, uint Segment, long Offset, long SegmentLength, byte[]? Frame = null, IReadOnlyList<PreparedFrame>? Commits = null)
{
    public enum Kinds
    {
        Frame,
        Footer,
        Damaged,

        /// <summary>A segment verify.memo let the scan skip: the audit reads the segments itself.</summary>
        Skipped,
    }

    public long Next => Offset + (Frame?.Length ?? 0);
}
