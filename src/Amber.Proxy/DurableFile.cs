using Amber.Storage.FileSystem;

namespace Amber.Proxy;

/// <summary>Writes a new file so that it is either absent or whole after a crash: <c>.tmp</c>, fsync, rename, fsync the folder.</summary>
internal static class DurableFile
{
    public static void Write(IFileSystem fs, string path, ReadOnlySpan<byte> bytes, bool ownerOnly = false)
    {
        var tmp = path + ".tmp";
        using (var file = fs.OpenWrite(tmp, create: true))
        {
            file.SetLength(0);
            file.Write(0, bytes);
            file.Sync();
        }

        if (ownerOnly && fs is LocalFileSystem && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        fs.Rename(tmp, path);
        fs.SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
    }
}
