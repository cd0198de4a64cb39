using Amber.Storage.Catalogue;
using Amber.Storage.Commits;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Segments;

/// <summary>The last step of a compaction (<see cref="Archive.Compact"/>): a rewritten segment put in place of the old one.</summary>
internal static class SegmentSwap
{
    /// <summary>
    /// Puts a rewritten segment in place: the index rows move and the marker is set in one transaction, then the new
    /// file is renamed over the old one and the folder fsynced, then the marker is dropped. If the rename fails the
    /// rows move back; if the folder's fsync fails the marker stays, and the next open checks which file is there.
    /// </summary>
    public static void Run(SegmentRewrite rewrite, CommitPipeline w, SemaphoreSlim writeGate, ReaderWriterLockSlim swapLock, SegmentStore segments,
        ArchiveCatalogue catalogue, IFileSystem fs, ArchivePaths paths, Action<string>? log)
    {
        var n = rewrite.Number;
        var marker = CompactionMarker.Format(n, rewrite.NewSha256);
        writeGate.Wait();
        try
        {
            w.WaitForIndexer();
            var dataEnd = rewrite.BytesBefore - Format.SegmentFooter.Size;
            if (catalogue.Index.Position is not { } p || p.Segment < n || (p.Segment == n && p.Offset < dataEnd))
            {
                fs.Delete(rewrite.TempPath);
                throw new InvalidOperationException($"the index has not read past {ArchivePaths.SegmentName(n)} yet; it was not compacted.");
            }

            using var exclusive = ReaderPresence.TryExclusive(fs, paths, out var applies);
            if (applies && exclusive is null)
            {
                fs.Delete(rewrite.TempPath);
                throw new InvalidOperationException($"another process has the archive open read-only ({paths.ReadersLock} is shared); compaction would move frames under its reads, so {ArchivePaths.SegmentName(n)} was not compacted: close it and compact again.");
            }

            swapLock.EnterWriteLock();
            try
            {
                var index = catalogue.Index;
                using (var tx = index.Begin())
                {
                    index.Relocate(tx, n, rewrite.Moves);
                    index.SetMeta(tx, CompactionMarker.MetaKey, marker);
                    tx.Commit();
                }

                try
                {
                    fs.Rename(rewrite.TempPath, paths.Segment(n));
                    segments.Forget(n);
                    fs.SyncDirectory(paths.Segments);
                }
                catch
                {
                    segments.Forget(n);
                    if (!CompactionMarker.Landed(segments, marker, out _))
                    {
                        rewrite.Undo(catalogue.Index, fs, log);
                    }

                    throw;
                }

                using (var tx = index.Begin())
                {
                    index.DeleteMeta(tx, CompactionMarker.MetaKey);
                    tx.Commit();
                }
            }
            finally
            {
                swapLock.ExitWriteLock();
            }
        }
        finally
        {
            writeGate.Release();
        }
    }
}
