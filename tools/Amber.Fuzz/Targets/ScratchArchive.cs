using Amber.Storage;

namespace Amber.Fuzz.Targets;

/// <summary>A real archive in a temporary folder, and a fingerprint of everything a commit changes (log size, segment and blob files).</summary>
public sealed class ScratchArchive : IDisposable
{
    public ScratchArchive(string label)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"amber-fuzz-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        Archive = Archive.Init(new ArchiveOptions { Directory = Path.Combine(Folder, "archive"), CreateIfMissing = true, CompressionLevel = 1 });
    }

    public string Folder { get; }

    public Archive Archive { get; }

    /// <summary>The log's size and every segment and blob file with its length: a commit changes at least one of them.</summary>
    public string Fingerprint()
    {
        var root = Path.Combine(Folder, "archive");
        var files = new[] { "segments", "blobs" }
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(root, f)}={new FileInfo(f).Length}");
        return $"log={Archive.Log.Size};" + string.Join(';', files);
    }

    public void Dispose()
    {
        Archive.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
