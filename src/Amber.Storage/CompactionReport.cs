namespace Amber.Storage;

/// <summary>What <see cref="Archive.Compact"/> did: the sealed segments it re-encoded and their bytes before and after.</summary>
public sealed record CompactionReport(int Level, int SegmentsRewritten, int SegmentsSkipped, long BytesBefore, long BytesAfter);
