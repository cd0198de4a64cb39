using Amber.Storage.FileSystem;

namespace Amber.Storage.Segments;

/// <summary>
/// Tells a compaction that other processes read the archive. A read-only process holds a shared lock on
/// <c>readers.lock</c> for as long as it has the archive open; a compaction takes it exclusively, without waiting,
/// around each segment swap. A read-only process takes its index rows and reads the segment files at different
/// moments, so a swap between the two would give it an old offset into the new file (segment.md §14): while any
/// reader is there the swap is refused instead, and a reader that opens during a swap waits for it to end.
/// Advisory flock(2) locks through .NET's FileShare (None: exclusive; otherwise shared); in-process file systems
/// have a single owner and need none.
/// </summary>
internal static class ReaderPresence
{
    private const int OpenAttempts = 100;

    private static readonly TimeSpan OpenRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The shared lock of a read-only process, held until disposed; null where no lock applies (an in-process file
    /// system, or a folder this process cannot write, which no compaction can change either).
    /// </summary>
    public static FileStream? Share(IFileSystem fs, ArchivePaths paths)
    {
        if (fs is not LocalFileSystem)
        {
            return null;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FileStream(paths.ReadersLock, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite));
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
            catch (IOException) when (attempt < OpenAttempts)
            {
                Thread.Sleep(OpenRetry); // a compaction is swapping a segment: a swap takes one index transaction and a rename
            }
            catch (IOException e)
            {
                throw new IOException($"{paths.ReadersLock}: a compaction has been swapping a segment of this archive for several seconds; try again.", e);
            }
        }
    }

    /// <summary>The exclusive lock for one swap, or null when a read-only process has the archive open.</summary>
    public static FileStream? TryExclusive(IFileSystem fs, ArchivePaths paths, out bool applies)
    {
        applies = fs is LocalFileSystem;
        if (!applies)
        {
            return null;
        }

        try
        {
            return new FileStream(paths.ReadersLock, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
