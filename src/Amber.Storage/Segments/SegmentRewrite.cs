using Amber.Storage.FileSystem;
using Amber.Storage.Index;

namespace Amber.Storage.Segments;

/// <summary>
/// A sealed segment re-encoded into <see cref="TempPath"/> (complete, fsynced, not yet in place): where each of its
/// frames and commits moved, and the new file's footer hash, which recovery compares to tell whether the rename happened.
/// </summary>
/// <param name="Moves">Every frame, or commit of a merged frame, in the new file's order: where it was and is.</param>
internal sealed record SegmentRewrite(uint Number, string TempPath, long BytesBefore, long BytesAfter, byte[] NewSha256, IReadOnlyList<FrameMove> Moves)
{
    /// <summary>The old file is still in place: the rows go back to it. If even that fails, the marker stays and the next open rebuilds the index.</summary>
    public void Undo(ArchiveIndex index, IFileSystem fs, Action<string>? log)
    {
        try
        {
            if (fs.FileExists(TempPath))
            {
                fs.Delete(TempPath);
            }

            using var tx = index.Begin();
            index.Relocate(tx, Number, Moves.Select(m => m.Reversed));
            index.DeleteMeta(tx, CompactionMarker.MetaKey);
            tx.Commit();
        }
        catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException or CorruptArchiveException)
        {
            log?.Invoke($"could not move the index rows of {ArchivePaths.SegmentName(Number)} back after a failed compaction ({e.Message}); the next open rebuilds the index");
        }
    }
}
