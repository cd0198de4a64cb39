using System.Buffers.Binary;

namespace Amber.Storage.Format;

/// <summary>
/// writer.chk: the position up to which the data is known durable. It is written after the data it
/// points at has been fsynced, so it may lag the data but never lead it; data found short of it means
/// acknowledged commits were lost. Layout: "AMBERCHK" | u32 segment | u64 offset | u32 CRC-32C.
/// </summary>
internal readonly record struct Checkpoint(uint Segment, long Offset)
{
    public const int Size = 24;
    public static ReadOnlySpan<byte> Magic => "AMBERCHK"u8;

    public byte[] ToBytes()
    {
        var b = new byte[Size];
        Magic.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), Segment);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(12), Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), Crc32C.Compute(b.AsSpan(0, 20)));
        return b;
    }

    /// <summary>Parses a checkpoint; null when the bytes are not a valid one (e.g. torn while being written).</summary>
    public static Checkpoint? TryParse(ReadOnlySpan<byte> b)
    {
        if (b.Length < Size || !b[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(b[20..]) != Crc32C.Compute(b[..20]))
        {
            return null;
        }

        return new Checkpoint(BinaryPrimitives.ReadUInt32LittleEndian(b[8..]), BinaryPrimitives.ReadInt64LittleEndian(b[12..]));
    }
}
