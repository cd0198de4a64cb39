using System.Globalization;

namespace Amber.Storage;

/// <summary>The archive folder's layout. See docs/format/segment.md and docs/format/blob-store.md.</summary>
internal sealed class ArchivePaths(string root)
{
    public string Root { get; } = root;

    public string Manifest => Path.Combine(Root, "archive.json");

    public string Segments => Path.Combine(Root, "segments");

    public string Blobs => Path.Combine(Root, "blobs");

    public string Checkpoint => Path.Combine(Root, "writer.chk");

    public string Lock => Path.Combine(Root, "amber.lock");

    /// <summary>Shared by read-only processes, taken exclusively by a compaction's swap (<see cref="Segments.ReaderPresence"/>).</summary>
    public string ReadersLock => Path.Combine(Root, "readers.lock");

    public string DefaultIndex => Path.Combine(Root, "index.db");

    public static string SegmentName(uint number) => "seg-" + number.ToString("D6", CultureInfo.InvariantCulture) + ".amb";

    public string Segment(uint number) => Path.Combine(Segments, SegmentName(number));

    public static bool TryParseSegmentName(string name, out uint number)
    {
        number = 0;
        return name.Length == 14 && name.StartsWith("seg-", StringComparison.Ordinal) && name.EndsWith(".amb", StringComparison.Ordinal)
            && uint.TryParse(name.AsSpan(4, 6), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>blobs/ab/cdef….zst for sha256:abcdef….</summary>
    public string BlobFile(string hex) => Path.Combine(Blobs, hex[..2], hex[2..] + ".zst");
}
