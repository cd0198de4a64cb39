using System.IO.Compression;

namespace Amber.Import.Sources;

/// <summary>Expands the paths given to `amber import` (files, folders, zips) into inputs.</summary>
public static class ImportSources
{
    private static readonly string[] Extensions = [".json", ".jsonl", ".ndjson", ".db", ".sqlite", ".sqlite3"];

    /// <summary>One group of inputs that share siblings (a folder, or a zip); a zip is held open until disposed.</summary>
    public static IEnumerable<(string Origin, IReadOnlyList<ImportInput> Inputs, IDisposable? Owner, bool Explicit)> Expand(string path, ImportOptions options)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            foreach (var zip in files.Where(f => f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)))
            {
                yield return OpenZip(zip, options, isExplicit: false);
            }

            var inputs = files.Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Select(f => FileInput(f)).ToList();
            yield return (path, inputs, null, false);
        }
        else if (File.Exists(path))
        {
            if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                yield return OpenZip(path, options, isExplicit: true);
            }
            else
            {
                yield return (path, [FileInput(path)], null, true);
            }
        }
        else
        {
            throw new ImportException($"{path}: no such file or folder.");
        }
    }

    public static ImportInput FileInput(string file)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        return new ImportInput(
            file,
            new FileInfo(file).Length,
            () => new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16),
            rel =>
            {
                var p = Path.GetFullPath(Path.Combine(dir, rel));
                return p.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(p) ? File.ReadAllBytes(p) : null;
            },
            () => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).ToList(),
            file);
    }

    private static (string, IReadOnlyList<ImportInput>, IDisposable?, bool) OpenZip(string path, ImportOptions options, bool isExplicit)
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
            if (!Extensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase))
            {
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
