using Amber.Storage.Commits;
using Amber.Storage.Segments;

namespace Amber.Storage;

/// <summary>
/// Compaction (segment.md §14, ARCHITECTURE "Compaction"): commits are written at a fast zstd level, and sealed segments
/// are later re-encoded at a high one into new sealed files. The log hashes commit content, not compressed bytes, so the
/// log and every proof stay as they are; only the index rows that locate frames in the segment move.
/// </summary>
public sealed partial class Archive
{
    /// <summary>The zstd level <see cref="Compact"/> re-encodes at unless told otherwise.</summary>
    public const int DefaultCompactionLevel = 19;

    /// <summary>
    /// The active segment is sealed for a compaction once its frames take 1 MiB: less would leave many small segments
    /// (each compressed on its own frames, so no worse), and a segment's header and footer are only 128 bytes.
    /// </summary>
    public const long DefaultSealActiveFrom = 1L << 20;

    /// <summary>Compaction merges commits into frames of about this many decoded bytes (segment.md §14; BENCHMARKS §28: 4 MiB gave 1.314 × <c>zstd -19</c>, 8 MiB 1.281 ×).</summary>
    public const int DefaultMergeBytes = 8 << 20;

    /// <summary>
    /// Held for reading by every index read that then reads the segments, and for writing by a compaction while it
    /// moves one segment's rows and file: a read never takes an offset from one file and reads it in the other.
    /// </summary>
    private readonly ReaderWriterLockSlim swapLock;

    /// <summary>
    /// Re-encodes every sealed segment (every one but the active) that no compaction has re-encoded at
    /// <paramref name="level"/> or above: each commit frame compressed again at that level, with the dictionary it
    /// named, each into a new sealed file that replaces the old one. The index's rows for that segment move in one
    /// transaction under the write gate (a commit waits at most for one swap, not for the re-encoding); reads in this
    /// process wait for the swap, never see half of it. A crash at any step leaves the old file or the new one, and an
    /// index that recovery checks against it (segment.md §14).
    /// </summary>
    /// <param name="sealActiveFrom">
    /// Seal the active segment first when its frames take at least this many bytes (null: never), so that an archive
    /// smaller than <see cref="ArchiveOptions.SegmentSize"/> is compacted too; writing goes on in the next segment.
    /// </param>
    /// <param name="mergeBytes">Merge commits into frames of about this many decoded bytes, at most 64 MiB (0: each commit in its own frame, as before merged frames; such segments are merged by a later run).</param>
    /// <param name="progress">Told the frames and bytes of the segments re-encoded so far, of all of theirs.</param>
    public CompactionReport Compact(int level = DefaultCompactionLevel, long? sealActiveFrom = DefaultSealActiveFrom, int mergeBytes = DefaultMergeBytes, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 22);
        ArgumentOutOfRangeException.ThrowIfNegative(mergeBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mergeBytes, 64 << 20);
        var w = writer ?? throw new InvalidOperationException($"Compacting the archive at {options.Directory} needs the writer lock; another process holds it.");
        return SegmentCompaction.Run(new SegmentCompaction.Parts(w, WriteGate, swapLock, segments, catalogue, options), level, sealActiveFrom, mergeBytes, progress, cancellationToken);
    }

    private T Reading<T>(Func<T> read)
    {
        swapLock.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            swapLock.ExitReadLock();
        }
    }
}
