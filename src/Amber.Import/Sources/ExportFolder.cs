namespace Amber.Import.Sources;

/// <summary>
/// An export folder on disk, read under one rule: only regular files inside it are ever opened. The walk
/// never enters a linked directory (so no link loop can repeat or hang it); a file link is read only when
/// its fully resolved target is a regular file inside the folder's resolved root; every other link, FIFO,
/// socket or device is reported as skipped without being opened.
/// </summary>
internal sealed class ExportFolder
{
    private readonly string root;
    private readonly string? realRoot;
    private readonly Action<SkippedFile> skip;

    public ExportFolder(string root, Action<SkippedFile>? skip)
    {
        this.root = Path.GetFullPath(root);
        realRoot = LocalPaths.RealPath(this.root);
        this.skip = skip ?? (_ => { });
    }

    /// <summary>Every readable file under the folder, in ordinal order; what may not be read is reported and left out.</summary>
    public List<string> Walk()
    {
        var files = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            List<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skip(new SkippedFile(dir, "cannot list this folder: " + e.Message));
                continue;
            }

            foreach (var entry in entries)
            {
                var kind = LocalPaths.KindOf(entry);
                if (kind == PathKind.Directory)
                {
                    pending.Push(entry);
                }
                else if (kind != PathKind.Missing && Refusal(entry) is { } reason)
                {
                    skip(new SkippedFile(entry, reason));
                }
                else if (kind != PathKind.Missing)
                {
                    files.Add(entry);
                }
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// The names of the files under the folder down to <paramref name="maxDepth"/> folders deep, in ordinal order, for a
    /// file's asset lookup: nothing is opened, checked or reported here (the folder was not named for import, so what it
    /// holds beside the file is no part of the import); <see cref="ReadRelative"/> checks and reports the one a pointer
    /// names. Bounded, so a file imported from a home folder does not walk the whole home folder.
    /// </summary>
    public List<string> Names(int maxDepth)
    {
        var files = new List<string>();
        var pending = new Stack<(string Dir, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (dir, depth) = pending.Pop();
            List<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var kind = LocalPaths.KindOf(entry);
                if (kind == PathKind.Directory)
                {
                    if (depth < maxDepth)
                    {
                        pending.Push((entry, depth + 1));
                    }
                }
                else if (kind != PathKind.Missing)
                {
                    files.Add(entry);
                }
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>The bytes of a file of the folder by relative path; null if absent, outside the folder or not safe to read.</summary>
    public byte[]? ReadRelative(string relative)
    {
        var path = Path.GetFullPath(Path.Combine(root, relative));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || LocalPaths.KindOf(path) is PathKind.Missing or PathKind.Directory)
        {
            return null;
        }

        if (Refusal(path) is { } reason)
        {
            skip(new SkippedFile(path, reason));
            return null;
        }

        return File.ReadAllBytes(LocalPaths.RealPath(path)!);
    }

    /// <summary>Why <paramref name="path"/> may not be opened, or null when it is (or leads to) a regular file inside the folder.</summary>
    public string? Refusal(string path)
    {
        var kind = LocalPaths.KindOf(path);
        if (kind == PathKind.Special)
        {
            return "not a regular file (a FIFO, socket or device); not opened";
        }

        if (kind == PathKind.Directory)
        {
            return "a folder";
        }

        var real = LocalPaths.RealPath(path);
        if (real is null)
        {
            return "a link that does not resolve (dangling or a loop); not followed";
        }

        if (realRoot is null || !real.StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"leads outside the export folder (to {real}); not followed";
        }

        return LocalPaths.KindOf(real) switch
        {
            PathKind.Regular => null,
            PathKind.Directory => "a link to a folder; folder links are never followed",
            _ => "a link to something that is not a regular file (a FIFO, socket or device); not opened",
        };
    }
}
