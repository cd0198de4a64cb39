using System.Buffers.Binary;
using System.Text;

namespace Amber.Storage.Format;

/// <summary>The fixed 64-byte header at the start of every segment file. See docs/format/segment.md.</summary>
/// <param name="CompactionLevel">Byte 40: 0 for a segment as the writer wrote it; the zstd level a compaction re-encoded it at (segment.md §14).</param>
internal sealed record SegmentHeader(ushort Version, ushort MinReaderVersion, uint Number, byte[] ArchiveId, long CreatedUnixMs, byte CompactionLevel = 0)
{
    public const int Size = 64;
    /// <summary>Version 3: the segment may hold packed commit frames (codecs 3 and 4); a version-2 reader must refuse it.</summary>
    public const ushort CurrentVersion = 3;

    /// <summary>Version 4: a compacted segment that may hold merged commit frames (kind 4); a version-3 reader must refuse it.</summary>
    public const ushort MergedVersion = 4;

    /// <summary>The highest <see cref="MinReaderVersion"/> this build reads.</summary>
    public const ushort ReadableVersion = MergedVersion;
    public static ReadOnlySpan<byte> Magic => "AMBERSEG"u8;

    public void Write(Span<byte> dest)
    {
        dest[..Size].Clear();
        Magic.CopyTo(dest);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[10..], MinReaderVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], Number);
        ArchiveId.AsSpan(0, 16).CopyTo(dest[16..]);
        BinaryPrimitives.WriteInt64LittleEndian(dest[32..], CreatedUnixMs);
        dest[40] = CompactionLevel;
        BinaryPrimitives.WriteUInt32LittleEndian(dest[60..], Crc32C.Compute(dest[..60]));
    }

    public static SegmentHeader Parse(ReadOnlySpan<byte> src, string file)
    {
        if (src.Length < Size)
        {
            throw new CorruptArchiveException($"{file}: header is {src.Length} bytes, expected {Size}.");
        }

        if (!src[..8].SequenceEqual(Magic))
        {
            throw new CorruptArchiveException($"{file}: bad magic \"{Encoding.ASCII.GetString(src[..8])}\", expected AMBERSEG.");
        }

        var crc = BinaryPrimitives.ReadUInt32LittleEndian(src[60..]);
        if (crc != Crc32C.Compute(src[..60]))
        {
            throw new CorruptArchiveException($"{file}: header checksum mismatch.");
        }

        var header = new SegmentHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(src[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(src[10..]),
            BinaryPrimitives.ReadUInt32LittleEndian(src[12..]),
            src.Slice(16, 16).ToArray(),
            BinaryPrimitives.ReadInt64LittleEndian(src[32..]),
            src[40]);
        if (header.MinReaderVersion > ReadableVersion)
        {
            throw new CorruptArchiveException($"{file}: needs reader version {header.MinReaderVersion}; this build reads up to {ReadableVersion}.");
        }

        return header;
    }
}
