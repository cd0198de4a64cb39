namespace Amber.Storage.FileSystem;

/// <summary>
/// Every file and folder of an archive is the owner's alone (0600 / 0700 on Unix), whatever the umask: the archive
/// holds every conversation, so no other local user may read it. Modes are set when a file is created, before any byte
/// is written. Written once here and used by every path that creates a file or folder of an archive.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates a folder (and its missing parents) with mode 0700.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, Directory);
        }
    }

    /// <summary>Options that create a file with mode 0600 (the mode is given to open(2), so no byte is ever readable by others).</summary>
    public static FileStreamOptions Create(FileMode mode, FileAccess access, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows() && mode is FileMode.Create or FileMode.CreateNew or FileMode.OpenOrCreate)
        {
            options.UnixCreateMode = File;
        }

        return options;
    }

    /// <summary>Creates <paramref name="path"/> empty with mode 0600 if it does not exist (e.g. before SQLite opens it).</summary>
    public static void EnsureFile(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            using var _ = new FileStream(path, Create(FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete));
        }
    }

    /// <summary>
    /// Takes group and other permissions off <paramref name="root"/> and everything under it (an archive made before
    /// this rule, or a folder the user created with a wider mode); true if anything changed.
    /// </summary>
    public static bool Tighten(string root)
    {
        if (OperatingSystem.IsWindows() || !System.IO.Directory.Exists(root))
        {
            return false;
        }

        var changed = false;
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var dir))
        {
            changed |= Restrict(dir, Directory);
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    continue; // never follow or change what a link points at
                }

                if (entry is DirectoryInfo d)
                {
                    pending.Push(d.FullName);
                }
                else
                {
                    changed |= Restrict(entry.FullName, File);
                }
            }
        }

        return changed;
    }

    /// <summary>True if <paramref name="path"/> can be read, written or entered by anyone but its owner.</summary>
    public static bool IsShared(string path)
        => !OperatingSystem.IsWindows() && (System.IO.File.GetUnixFileMode(path) & GroupOrOther) != 0;

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool Restrict(string path, UnixFileMode mode)
    {
        var current = System.IO.File.GetUnixFileMode(path);
        if ((current & GroupOrOther) == 0)
        {
            return false;
        }

        System.IO.File.SetUnixFileMode(path, current & ~GroupOrOther & (mode | UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit));
        return true;
    }
}
