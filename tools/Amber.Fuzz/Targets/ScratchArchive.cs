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

    /// <summary>
    /// The log's size, the archive's counts and every blob file with its length: a commit changes the log. Segment
    /// lengths are left out: the writer appends signed log checkpoints on a timer, which is not a commit.
    /// </summary>
    public string Fingerprint()
    {
        var blobs = Path.Combine(Folder, "archive", "blobs");
        var files = Directory.Exists(blobs)
            ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => $"{Path.GetFileName(f)}={new FileInfo(f).Length}")
            : [];
        var stats = Archive.GetStats();
        return $"log={Archive.Log.Size};conversations={stats.Conversations};nodes={stats.Nodes};blobs={stats.Blobs};instances={stats.Instances};" + string.Join(';', files);
    }

    public void Dispose()
    {
        Archive.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
