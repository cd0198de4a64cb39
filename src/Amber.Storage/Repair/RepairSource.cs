using Amber.Storage.FileSystem;

namespace Amber.Storage.Repair;

/// <summary>Where repair takes its copies from: a replica archive's folder, or a bag's <c>data/blobs</c>.</summary>
internal sealed class RepairSource
{
    private readonly string root;
    private readonly ArchivePaths? replica;

    private RepairSource(string root, ArchivePaths? replica)
    {
        this.root = root;
        this.replica = replica;
    }

    public static RepairSource Open(string from, string archiveId)
    {
        var replica = new ArchivePaths(from);
        if (File.Exists(replica.Manifest))
        {
            var other = ArchiveRepair.ArchiveIdOf(replica.Manifest);
            return other == archiveId
                ? new RepairSource(from, replica)
                : throw new InvalidOperationException($"{from}: is archive {other}, not {archiveId}; repair copies only from a replica of the same archive.");
        }

        if (File.Exists(Path.Combine(from, "bagit.txt")) && Directory.Exists(Path.Combine(from, "data", "blobs")))
        {
            var info = Path.Combine(from, "bag-info.txt");
            var id = File.Exists(info) ? File.ReadLines(info).FirstOrDefault(l => l.StartsWith("Amber-Archive-Id:", StringComparison.Ordinal))?["Amber-Archive-Id:".Length..].Trim() : null;
            return id is null || id == archiveId
                ? new RepairSource(from, null)
                : throw new InvalidOperationException($"{from}: is a bag of archive {id}, not {archiveId}.");
        }

        throw new InvalidOperationException($"{from}: neither an archive (archive.json) nor a bag (bagit.txt with data/blobs).");
    }

    /// <summary>Null and the copy's bytes when the source holds a whole segment of that number and archive; else why not.</summary>
    public string? SegmentCopy(uint number, byte[] archiveId, out byte[]? copy)
    {
        copy = null;
        if (replica is null)
        {
            return $"{root} is a bag, which holds no segments; repair it from a replica archive";
        }

        var path = replica.Segment(number);
        if (!File.Exists(path))
        {
            return $"{root} has no {ArchivePaths.SegmentName(number)}";
        }

        if (SegmentCheck.FirstDamage(LocalFileSystem.Instance, path, number, archiveId) is { } damage)
        {
            return $"the copy in {root} is damaged too (offset {damage.Offset}: {damage.Problem})";
        }

        copy = File.ReadAllBytes(path);
        return null;
    }

    /// <summary>Null and the blob file's bytes (compressed) when the source holds bytes that hash to the name; else why not.</summary>
    public string? BlobCopy(string hex, out byte[]? compressed)
    {
        compressed = null;
        if (replica is not null)
        {
            var path = replica.BlobFile(hex);
            if (!File.Exists(path))
            {
                return $"{root} has no such blob";
            }

            var bytes = File.ReadAllBytes(path);
            if (ArchiveRepair.BlobHex(bytes) != hex)
            {
                return $"the copy in {root} does not hash to its name either";
            }

            compressed = bytes;
            return null;
        }

        var raw = Path.Combine(root, "data", "blobs", hex);
        if (!File.Exists(raw))
        {
            return $"{root} has no data/blobs/{hex}";
        }

        var content = File.ReadAllBytes(raw);
        if (Amber.Core.Hashing.ContentId.Of(content) != Amber.Core.Hashing.ContentId.Prefix + hex)
        {
            return $"{root}/data/blobs/{hex} does not hash to its name";
        }

        compressed = Compression.Compress(content, 3, null);
        return null;
    }
}
