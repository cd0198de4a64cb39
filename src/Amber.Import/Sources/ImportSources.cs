using System.IO.Compression;

namespace Amber.Import.Sources;

/// <summary>Expands the paths given to `amber import` (files, folders, zips) into inputs.</summary>
public static class ImportSources
{
    private static readonly string[] Extensions = [".json", ".jsonl", ".ndjson", ".db", ".sqlite", ".sqlite3"];

    /// <summary>
    /// One group of inputs that share siblings (a folder, or a zip); a zip is held open until disposed. Files
    /// of a folder that may not be opened (see <see cref="ExportFolder"/>) are passed to <paramref name="skip"/>.
    /// </summary>
    /// <param name="ignore">Receives the files of a folder or zip whose extension no format reads (neither a conversation file nor a zip).</param>
    public static IEnumerable<(string Origin, IReadOnlyList<ImportInput> Inputs, IDisposable? Owner, bool Explicit)> Expand(string path, ImportOptions options, Action<SkippedFile>? skip = null, Action<string>? ignore = null)
    {
        var kind = LocalPaths.KindOf(path);
        if (kind == PathKind.Symlink)
        {
            // A path the user names is followed, wherever it leads; what it leads to obeys the same rules.
            kind = LocalPaths.RealPath(path) is { } real ? LocalPaths.KindOf(real) : PathKind.Missing;
        }

        if (kind == PathKind.Directory)
        {
            var folder = new ExportFolder(path, skip);
            var files = folder.Walk();
            foreach (var zip in files.Where(f => f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)))
            {
                yield return OpenZip(zip, options, isExplicit: false, ignore);
            }

            foreach (var other in files.Where(f => !IsReadable(f) && !f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)))
            {
                ignore?.Invoke(other);
            }

            var inputs = files.Where(IsReadable).Select(f => FileInput(f, skip)).ToList();
            yield return (path, inputs, null, false);
        }
        else if (kind == PathKind.Regular)
        {
            if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                yield return OpenZip(path, options, isExplicit: true, ignore);
            }
            else
            {
                yield return (path, [FileInput(path, skip)], null, true);
            }
        }
        else if (kind == PathKind.Special)
        {
            throw new ImportException($"{path}: not a regular file (a FIFO, socket or device); only regular files, folders and zips are imported.");
        }
        else
        {
            throw new ImportException($"{path}: no such file or folder.");
        }
    }

    /// <summary>
    /// How many folders deep a file's siblings are looked for: a ChatGPT export keeps assets beside
    /// <c>conversations.json</c>, in one folder below (<c>dalle-generations/</c>, <c>user-…/</c>) or two
    /// (<c>&lt;conversation&gt;/audio/</c>).
    /// </summary>
    public const int SiblingDepth = 3;

    /// <summary>
    /// A file on disk whose siblings are the files of its folder, <see cref="SiblingDepth"/> folders deep; a sibling is
    /// opened only when a format reads it, and then only if it is a regular file inside the folder (else it is skipped).
    /// </summary>
    public static ImportInput FileInput(string file, Action<SkippedFile>? skip = null)
    {
        var folder = new ExportFolder(Path.GetDirectoryName(Path.GetFullPath(file))!, skip);
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        return new ImportInput(
            file,
            new FileInfo(file).Length,
            () => new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16),
            folder.ReadRelative,
            () => folder.Names(SiblingDepth).Select(f => Path.GetRelativePath(dir, f)).ToList(),
            file);
    }

    /// <summary>True when a format may read the file as conversations (by its extension).</summary>
    public static bool IsReadable(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static (string, IReadOnlyList<ImportInput>, IDisposable?, bool) OpenZip(string path, ImportOptions options, bool isExplicit, Action<string>? ignore)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new ImportException($"{path}: not a readable zip file: {e.Message}", e);
        }

        try
        {
            ZipLimits.Check(path, zip, options);
        }
        catch (InvalidDataException e)
        {
            // The central directory is read when the entries are first listed, here (fuzzing found this escaping the importer).
            zip.Dispose();
            throw new ImportException($"{path}: not a readable zip file: {e.Message}", e);
        }
        catch
        {
            zip.Dispose();
            throw;
        }

        var byName = zip.Entries.Where(e => e.Length > 0 || !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName.Replace('\\', '/'), StringComparer.Ordinal);
        var gate = new Lock();
        byte[]? Sibling(string baseDir, string rel)
        {
            var key = Normalize(baseDir.Length == 0 ? rel : baseDir + "/" + rel);
            lock (gate)
            {
                if (key is null || !byName.TryGetValue(key, out var entry))
                {
                    return null;
                }

                using var s = ZipLimits.OpenBounded(path, entry);
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                return ms.ToArray();
            }
        }

        var inputs = new List<ImportInput>();
        foreach (var (name, entry) in byName.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsReadable(name))
            {
                if (!name.EndsWith('/'))
                {
                    ignore?.Invoke($"{path}!{name}");
                }

                continue;
            }

            var baseDir = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : "";
            inputs.Add(new ImportInput(
                $"{path}!{name}",
                entry.Length,
                () => ZipLimits.OpenBounded(path, entry),
                rel => Sibling(baseDir, rel),
                () => byName.Keys.Where(k => baseDir.Length == 0 || k.StartsWith(baseDir + "/", StringComparison.Ordinal)).Select(k => baseDir.Length == 0 ? k : k[(baseDir.Length + 1)..]).ToList()));
        }

        return (path, inputs, zip, isExplicit);
    }

    private static string? Normalize(string rel)
    {
        var parts = new List<string>();
        foreach (var p in rel.Replace('\\', '/').Split('/'))
        {
            if (p is "" or ".")
            {
                continue;
            }

            if (p == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(p);
        }

        return string.Join('/', parts);
    }
}
