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
        using (var f = fs.OpenWrite(tmp, create: true))
        {
            f.SetLength(0);
            f.Write(0, bytes);
            f.Sync();
        }

        fs.Rename(tmp, path);
        fs.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}
