using System.Runtime.InteropServices;
using System.Text;

namespace Amber.Import.Sources;

/// <summary>
/// The two questions about a path .NET cannot answer without opening it: what kind of file it is (a FIFO
/// blocks on open, a device never ends) and where it really leads once every link is resolved.
/// </summary>
internal static partial class LocalPaths
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;

    /// <summary>The kind of <paramref name="path"/> itself (a link is reported as a link).</summary>
    public static PathKind KindOf(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            // statx's buffer layout is the same on every Linux architecture, unlike struct stat.
            var buffer = new byte[256];
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
            {
                return PathKind.Missing;
            }

            return (BitConverter.ToUInt16(buffer, StatxModeOffset) & 0xF000) switch
            {
                0x8000 => PathKind.Regular,
                0x4000 => PathKind.Directory,
                0xA000 => PathKind.Symlink,
                _ => PathKind.Special,
            };
        }

        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists)
            {
                return PathKind.Missing;
            }
        }

        return info.LinkTarget is not null ? PathKind.Symlink
            : info.Attributes.HasFlag(FileAttributes.Directory) ? PathKind.Directory
            : info.Attributes.HasFlag(FileAttributes.Device) ? PathKind.Special
            : PathKind.Regular;
    }

    /// <summary>The absolute path with every link resolved, or null when it does not resolve (missing, dangling, a loop).</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var buffer = new byte[4097];
            if (RealPathNative(path, buffer) == 0)
            {
                return null;
            }

            return Encoding.UTF8.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0));
        }

        try
        {
            var full = Path.GetFullPath(path);
            var target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            return target is null ? (Path.Exists(full) ? full : null) : (target.Exists ? target.FullName : null);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, [Out] byte[] resolved);
}
