using System.Globalization;

namespace Amber.Storage.Segments;

/// <summary>
/// The index's note that a compaction has moved one segment's rows but may not have put its new file in place yet
/// (segment.md §14): meta <c>segment_compaction</c> = <c>NUMBER:HEX</c>, HEX the new file's footer SHA-256. Whoever
/// opens the index next compares it with the segment's footer: equal, the swap landed and the note is dropped;
/// different, the old file is still there and the index (whose rows point into the new one) is rebuilt.
/// </summary>
internal static class CompactionMarker
{
    public const string MetaKey = "segment_compaction";

    public static string Format(uint segment, byte[] sha256) => string.Create(CultureInfo.InvariantCulture, $"{segment}:{Convert.ToHexStringLower(sha256)}");

    /// <summary>True when the segment the note names ends in the footer the note names.</summary>
    public static bool Landed(SegmentStore segments, string value, out uint segment)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !uint.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out segment))
        {
            segment = 0;
            return false;
        }

        if (!segments.FileSystem.FileExists(segments.Paths.Segment(segment)))
        {
            return false;
        }

        var sha = segments.FooterSha256(segment);
        return sha is not null && Convert.ToHexStringLower(sha) == value[(colon + 1)..];
    }
}
