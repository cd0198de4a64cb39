using Amber.Storage.FileSystem;

namespace Amber.Storage.Index;

/// <summary>
/// Lets the index be written without fsyncs (<c>PRAGMA synchronous=OFF</c>) where that is safe to detect. The index
/// is derived data: every row can be recomputed from the segments. What an fsync protects it against is a machine
/// restart (power loss, kernel crash, VM reset), which can drop or reorder writes still in the page cache; a process
/// that dies (SIGKILL included) leaves them all there. So while a writer has the index open, a marker file beside it
/// (<c>index.db-open</c>) names the machine's boot (Linux <c>/proc/sys/kernel/random/boot_id</c>). A clean close
/// has SQLite fsync the index (a checkpoint with <c>synchronous=FULL</c>) and removes the marker. A marker naming
/// another boot means the machine restarted while the index was open: the next writer deletes the index before SQLite
/// reads it and rebuilds it from the segments, and a reader refuses it. Where the boot cannot be told, there is no
/// marker and the index keeps <c>synchronous=NORMAL</c>, with its fsyncs; a writer there still rebuilds an index that
/// a marker says was left unsynced (the disk may come from a machine that lost power), while a reader cannot tell that
/// marker from a live writer's and reads the index as it is.
/// <para>
/// Why: each WAL checkpoint with fsyncs forced a journal commit and a disk cache flush, up to 40 times a second
/// under gateway load, and the segment fsync every caller waits for queued behind them (BENCHMARKS §7).
/// </para>
/// </summary>
internal static class IndexOpenMarker
{
    public const string Suffix = "-open";
    private const string BootIdPath = "/proc/sys/kernel/random/boot_id";
    private const string Prefix = "amber index open, boot ";

    /// <summary>This boot's id, or null where the machine cannot tell (not Linux).</summary>
    public static string? CurrentBoot()
    {
        try
        {
            return File.Exists(BootIdPath) ? File.ReadAllText(BootIdPath).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string PathOf(string indexPath) => indexPath + Suffix;

    /// <summary>
    /// The boot named by a marker left beside <paramref name="indexPath"/>, when it is not <paramref name="currentBoot"/>:
    /// the index was open, unsynced, when the machine restarted. An unreadable marker counts as another boot, and so
    /// does any marker where this machine cannot name its boot (null): nothing then tells that boot from this one.
    /// </summary>
    public static string? OtherBoot(string indexPath, string? currentBoot)
    {
        var path = PathOf(indexPath);
        if (!File.Exists(path))
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "(unreadable marker)";
        }

        var recorded = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..].Trim() : "(unreadable marker)";
        return currentBoot is not null && recorded == currentBoot ? null : recorded;
    }

    /// <summary>Writes the marker durably (<see cref="AtomicFile"/>) before the first unsynced write.</summary>
    public static void Write(string indexPath, string boot)
        => AtomicFile.Write(PathOf(indexPath), System.Text.Encoding.UTF8.GetBytes(Prefix + boot + "\n"));

    /// <summary>What a close whose sync failed leaves instead of this boot's id: any later writer rebuilds the index.</summary>
    public const string FailedSync = "(a close that could not sync the index)";

    /// <summary>
    /// After a close whose sync failed: the writes it could not sync may already be gone from the page cache (Linux
    /// drops pages whose write-back failed), so this boot's marker would vouch for an index that is not intact. Best
    /// effort: if even this fails, the boot's marker stays, as before.
    /// </summary>
    public static void MarkFailedSync(string indexPath)
    {
        try
        {
            Write(indexPath, FailedSync);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done here.
        }
    }

    /// <summary>After a clean close, once SQLite has made what it wrote durable: removes the marker.</summary>
    public static void Remove(string indexPath)
    {
        var path = PathOf(indexPath);
        File.Delete(path);
        SyncFolder(path);
    }

    private static void SyncFolder(string path)
        => LocalFileSystem.Instance.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".");
}
