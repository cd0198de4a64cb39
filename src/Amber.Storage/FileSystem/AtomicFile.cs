namespace Amber.Storage.FileSystem;

/// <summary>
/// The one way a new file is written whole or not at all, used by every project: a <c>.tmp</c> beside it (created
/// owner-only, <see cref="OwnerOnly"/>, before any byte is written), fsync, rename over the target, fsync of the
/// folder. After a crash the file is either absent or complete; a leftover <c>.tmp</c> was never acknowledged.
/// </summary>
public static class AtomicFile
{
    public static void Write(IFileSystem fs, string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var tmp = path + ".tmp";
        if (fs.FileExists(tmp))
        {
            // A leftover from a crash, or a file someone else made: opening it would keep its mode (the owner-only mode
            // is given only when a file is created), and the rename would hand that mode to the target.
            fs.Delete(tmp);
        }

        using (var f = fs.OpenWrite(tmp, create: true))
        {
            f.SetLength(0);
            f.Write(0, bytes);
            f.Sync();
        }

        fs.Rename(tmp, path);
        var folder = Path.GetDirectoryName(path);
        fs.SyncDirectory(string.IsNullOrEmpty(folder) ? "." : folder);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> on the local disk (a file outside any archive's <see cref="IFileSystem"/>).</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes) => Write(LocalFileSystem.Instance, path, bytes);
}
