using Amber.Storage.Format;
using Amber.Storage.Reading;

namespace Amber.Storage.Index;

/// <summary>Measures <see cref="IndexLag"/> without waiting for the index: a read-only process must see the lag, not hang on it.</summary>
internal static class IndexLagProbe
{
    /// <summary>
    /// The writer's process knows exactly what it has acknowledged and not indexed (<see cref="UnindexedCommits"/>).
    /// Any other process reads the index's last commit and position in one transaction, then counts the complete frames
    /// after that position in the segments: what the other process's writer has appended and its indexer not recorded.
    /// </summary>
    public static IndexLag Measure(Archive archive, bool holdsWriter)
    {
        if (holdsWriter)
        {
            var (acknowledged, commits, bytes) = archive.Unindexed.Lag();
            return new IndexLag(acknowledged, acknowledged - commits, bytes);
        }

        var (indexed, position) = archive.Index.IndexedThrough();
        var numbers = archive.SegmentNumbers();
        var segment = position?.Segment ?? 1u;
        var offset = position?.Offset ?? SegmentHeader.Size;
        long pendingCommits = 0, pendingBytes = 0;
        for (; numbers.Count > 0 && segment <= numbers[^1]; segment++, offset = SegmentHeader.Size)
        {
            var path = archive.Paths.Segment(segment);
            if (!archive.FileSystem.FileExists(path))
            {
                continue;
            }

            using var file = archive.FileSystem.OpenRead(path);
            var end = file.Length;
            while (offset < end)
            {
                var step = SegmentScanner.Read(file, offset, end, ArchivePaths.SegmentName(segment));
                if (step.Kind != SegmentScanner.StepKind.Frame)
                {
                    break; // the footer, or a frame still being written: nothing more in this segment
                }

                if (RecordFrame.ReadHeader(step.Bytes!).Kind == FrameKind.Commit)
                {
                    pendingCommits++;
                }

                pendingBytes += step.Bytes!.Length;
                offset = step.Next;
            }
        }

        return new IndexLag(indexed + pendingCommits, indexed, pendingBytes);
    }
}
