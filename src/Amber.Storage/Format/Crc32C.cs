using System.Buffers.Binary;
using System.Numerics;

namespace Amber.Storage.Format;

/// <summary>CRC-32C (Castagnoli), as used by iSCSI, ext4 and LevelDB; hardware-accelerated where the CPU has it.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        while (data.Length >= 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            c = BitOperations.Crc32C(c, b);
        }

        return ~c;
    }
}
