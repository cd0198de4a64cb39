namespace Amber.Storage.Segments;

/// <summary>Where one frame of a compacted segment was (offset and length in the old file) and is (in the new one).</summary>
internal readonly record struct FrameMove(long Old, long OldLength, long New, long NewLength);
