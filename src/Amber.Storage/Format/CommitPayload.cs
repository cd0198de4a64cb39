using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Storage.Format;

/// <summary>
/// Encodes and decodes the entry sequence of a commit frame: <c>u8 type | u32 length | bytes</c>, repeated.
/// </summary>
internal static class CommitPayload
{
    public const int EntryHeaderSize = 5;

    public static void WriteEntry(ArrayBufferWriter<byte> output, EntryType type, ReadOnlySpan<byte> body)
    {
        var span = output.GetSpan(EntryHeaderSize + body.Length);
        span[0] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(span[1..], (uint)body.Length);
        body.CopyTo(span[EntryHeaderSize..]);
        output.Advance(EntryHeaderSize + body.Length);
    }

    public static void WriteEntry(ArrayBufferWriter<byte> output, EntryType type, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body)
    {
        var len = prefix.Length + body.Length;
        var span = output.GetSpan(EntryHeaderSize + len);
        span[0] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(span[1..], (uint)len);
        prefix.CopyTo(span[EntryHeaderSize..]);
        body.CopyTo(span[(EntryHeaderSize + prefix.Length)..]);
        output.Advance(EntryHeaderSize + len);
    }

    /// <summary>Splits a payload into entries; throws <see cref="FormatException"/> if the lengths do not add up.</summary>
    public static List<Entry> Read(ReadOnlyMemory<byte> payload)
    {
        var entries = new List<Entry>();
        var span = payload.Span;
        var pos = 0;
        while (pos < span.Length)
        {
            if (span.Length - pos < EntryHeaderSize)
            {
                throw new FormatException($"entry at payload offset {pos}: header cut short.");
            }

            var type = (EntryType)span[pos];
            if (!Enum.IsDefined(type))
            {
                throw new FormatException($"entry at payload offset {pos}: unknown type {(byte)type}.");
            }

            var len = BinaryPrimitives.ReadUInt32LittleEndian(span[(pos + 1)..]);
            if (len > span.Length - pos - EntryHeaderSize)
            {
                throw new FormatException($"entry at payload offset {pos}: length {len} runs past the payload.");
            }

            entries.Add(new Entry(type, pos + EntryHeaderSize, payload.Slice(pos + EntryHeaderSize, (int)len)));
            pos += EntryHeaderSize + (int)len;
        }

        return entries;
    }

    /// <summary>One entry: its type, the offset of its body within the payload, and the body.</summary>
    public readonly record struct Entry(EntryType Type, int Offset, ReadOnlyMemory<byte> Body);
}
