namespace Amber.Storage;

/// <summary>Where the archive's data ends after recovery: the active segment and its valid length.</summary>
internal sealed record SegmentState(uint Segment, long End, byte[] ArchiveId, bool Sealed);
