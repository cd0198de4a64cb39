namespace Amber.Storage;

/// <summary>How far a scan over the segments (verify, index rebuild) has come: frames read, and segment bytes read of the total.</summary>
public readonly record struct ScanProgress(long Frames, long BytesScanned, long BytesTotal);
