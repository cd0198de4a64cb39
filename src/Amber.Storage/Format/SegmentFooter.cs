using System.Buffers.Binary;

namespace Amber.Storage.Format;

/// <summary>The 64-byte footer that seals a segment: data length, frame count and the SHA-256 of everything before it.</summary>
internal sealed record SegmentFooter(long DataEnd, uint FrameCount, byte[] Sha256)
{
    public const int Size = 64;
    public static ReadOnlySpan<byte> Magic => "AMBEREND"u8;

    public void Write(Span<byte> dest)
    {
        dest[..Size].Clear();
        Magic.CopyTo(dest);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], DataEnd);
        Sha256.AsSpan(0, 32).CopyTo(dest[16..]);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[48..], FrameCount);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[60..], Crc32C.Compute(dest[..60]));
    }

    public static bool StartsWithMagic(ReadOnlySpan<byte> src) => src.Length >= 8 && src[..8].SequenceEqual(Magic);

    public static SegmentFooter Parse(ReadOnlySpan<byte> src, string file, long offset)
    {
        if (src.Length < Size)
        {
            throw new CorruptArchiveException($"{file} at {offset}: footer is {src.Length} bytes, expected {Size}.");
        }

        if (!StartsWithMagic(src))
        {
            throw new CorruptArchiveException($"{file} at {offset}: footer magic missing.");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(src[60..]) != Crc32C.Compute(src[..60]))
        {
            throw new CorruptArchiveException($"{file} at {offset}: footer checksum mismatch.");
        }

        return new SegmentFooter(BinaryPrimitives.ReadInt64LittleEndian(src[8..]), BinaryPrimitives.ReadUInt32LittleEndian(src[48..]), src.Slice(16, 32).ToArray());
    }
}
