using Amber.Storage.Catalogue;
using Amber.Storage.Commits;
using Amber.Storage.Format;

namespace Amber.Storage.Segments;

/// <summary>The run of <see cref="Archive.Compact"/>: which sealed segments to re-encode, and each one re-encoded and swapped in.</summary>
internal static class SegmentCompaction
{
    /// <summary>What a compaction works with: the writer (held between groups for each swap), its gates, the files and the index.</summary>
    public sealed record Parts(CommitPipeline Writer, SemaphoreSlim WriteGate, ReaderWriterLockSlim SwapLock, SegmentStore Segments, ArchiveCatalogue Catalogue, ArchiveOptions Options);

    public static CompactionReport Run(Parts p, int level, long? sealActiveFrom, int mergeBytes, IProgress<ScanProgress>? progress, CancellationToken cancellationToken)
    {
        if (sealActiveFrom is { } seal)
        {
            p.WriteGate.Wait(cancellationToken);
            try
            {
                if (p.Writer.SealActive(seal))
                {
                    p.Options.Log?.Invoke($"sealed {ArchivePaths.SegmentName(p.Writer.State.Segment - 1)} early to compact it");
                }
            }
            finally
            {
                p.WriteGate.Release();
            }
        }

        var active = p.Writer.State.Segment;
        var todo = new List<uint>();
        var skipped = 0;
        foreach (var n in p.Segments.SegmentNumbers())
        {
            if (n >= active)
            {
                continue;
            }

            var header = p.Segments.ReadHeader(n);
            if (header.CompactionLevel >= level && (mergeBytes == 0 || header.MinReaderVersion >= SegmentHeader.MergedVersion))
            {
                skipped++;
            }
            else
            {
                todo.Add(n);
            }
        }

        var scan = ScanProgressReporter.For(progress, p.Options.FileSystem, p.Segments.Paths, todo);
        long done = 0, before = 0, after = 0;
        foreach (var n in todo)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = done;
            var rewrite = SegmentCompactor.Rewrite(p.Segments, n, level, p.Options.PackFrames, mergeBytes, f => scan.Frame(start + f));
            done += rewrite.BytesBefore;
            SegmentSwap.Run(rewrite, p.Writer, p.WriteGate, p.SwapLock, p.Segments, p.Catalogue, p.Options.FileSystem, p.Segments.Paths, p.Options.Log);
            before += rewrite.BytesBefore;
            after += rewrite.BytesAfter;
            p.Options.Log?.Invoke($"compacted {ArchivePaths.SegmentName(n)} at zstd level {level}: {rewrite.BytesBefore} → {rewrite.BytesAfter} bytes");
        }

        scan.Complete();
        return new CompactionReport(level, todo.Count, skipped, before, after);
    }
}
