using System.Buffers.Binary;

namespace Amber.Storage.Format;

/// <summary>
/// Record framing. Every frame is:
/// <code>
/// u32 N (body length) | u8 kind | u8 codec | u16 flags=0 | u32 dictionary id | u32 uncompressed length
/// | payload (N - 12 bytes) | u32 CRC-32C of the body | u32 N
/// </code>
/// The body is the N bytes from kind to the payload's end. All integers are little-endian.
/// See docs/format/record-frame.md.
/// </summary>
internal static class RecordFrame
{
    public const int BodyHeaderSize = 12;

    /// <summary>Bytes a frame adds around its payload.</summary>
    public const int Overhead = 4 + BodyHeaderSize + 4 + 4;

    /// <summary>The largest body a frame may carry (256 MiB); larger content goes to external blobs.</summary>
    public const int MaxBodyLength = 256 << 20;

    public static byte[] Encode(FrameKind kind, Codec codec, uint dictionaryId, int uncompressedLength, ReadOnlySpan<byte> payload)
    {
        var n = BodyHeaderSize + payload.Length;
        if (n > MaxBodyLength)
        {
            throw new ArgumentException($"Frame body of {n} bytes exceeds the {MaxBodyLength}-byte limit.", nameof(payload));
        }

        var frame = new byte[n + 12];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)n);
        frame[4] = (byte)kind;
        frame[5] = (byte)codec;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), dictionaryId);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(12), (uint)uncompressedLength);
        payload.CopyTo(frame.AsSpan(16));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4 + n), Crc32C.Compute(frame.AsSpan(4, n)));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8 + n), (uint)n);
        return frame;
    }

    /// <summary>Reads the leading length, or null if it cannot start a frame.</summary>
    public static int? ReadBodyLength(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 4)
        {
            return null;
        }

        var n = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        return n is < BodyHeaderSize or > MaxBodyLength ? null : (int)n;
    }

    /// <summary>Checks a complete frame (leading length, CRC, trailing length) and decodes its header.</summary>
    public static FrameCheck Check(ReadOnlySpan<byte> frame)
    {
        var n = ReadBodyLength(frame);
        if (n is null)
        {
            return FrameCheck.BadLength;
        }

        if (frame.Length < n.Value + 12)
        {
            return FrameCheck.Truncated;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(frame[(8 + n.Value)..]) != (uint)n.Value)
        {
            return FrameCheck.TrailerMismatch;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + n.Value)..]) != Crc32C.Compute(frame.Slice(4, n.Value)))
        {
            return FrameCheck.ChecksumMismatch;
        }

        if (!Enum.IsDefined((FrameKind)frame[4]) || !Enum.IsDefined((Codec)frame[5]) || BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) != 0)
        {
            return FrameCheck.UnknownKind;
        }

        return FrameCheck.Ok;
    }

    public static FrameHeader ReadHeader(ReadOnlySpan<byte> frame)
    {
        var n = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame);
        return new FrameHeader(
            (FrameKind)frame[4],
            (Codec)frame[5],
            BinaryPrimitives.ReadUInt32LittleEndian(frame[8..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(frame[12..]),
            n - BodyHeaderSize);
    }

    public static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> frame)
    {
        var n = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame);
        return frame.Slice(16, n - BodyHeaderSize);
    }
}
