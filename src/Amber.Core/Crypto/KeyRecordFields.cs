using System.Buffers.Binary;
using System.Text;

namespace Amber.Core.Crypto;

/// <summary>The field rules every key record shares: ids are 1–255 bytes of UTF-8 without control characters, lengths are one byte, integers big-endian.</summary>
internal static class KeyRecordFields
{
    public const int MaxIdBytes = 255;

    public static void CheckId(string? id, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"the {what} is empty.");
        }

        if (Encoding.UTF8.GetByteCount(id) > MaxIdBytes)
        {
            throw new ArgumentException($"the {what} '{id}' is longer than {MaxIdBytes} bytes of UTF-8.");
        }

        if (id.Any(char.IsControl))
        {
            throw new ArgumentException($"the {what} contains a control character.");
        }
    }

    public static void WriteId(List<byte> output, string id)
    {
        var bytes = Encoding.UTF8.GetBytes(id);
        output.Add((byte)bytes.Length);
        output.AddRange(bytes);
    }

    public static void WriteUInt32(List<byte> output, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, value);
        output.AddRange(buffer);
    }

    /// <summary>Reads a record's fields in order, throwing a <see cref="KeyRecordException"/> that names the source, the field and its offset.</summary>
    internal ref struct Reader(ReadOnlySpan<byte> bytes, string source, string kind)
    {
        private readonly ReadOnlySpan<byte> bytes = bytes;

        public int Offset { get; private set; }

        public readonly bool AtEnd => Offset == bytes.Length;

        public ReadOnlySpan<byte> Take(int count, string field)
        {
            if (bytes.Length - Offset < count)
            {
                throw Fail(field, $"the record ends after {bytes.Length} bytes, {count} more were needed");
            }

            var slice = bytes.Slice(Offset, count);
            Offset += count;
            return slice;
        }

        public byte Byte(string field) => Take(1, field)[0];

        public uint UInt32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

        public string Id(string field)
        {
            var start = Offset;
            var length = Byte(field + " length");
            if (length == 0)
            {
                throw Fail(field, "it is empty", start);
            }

            var raw = Take(length, field);
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                throw Fail(field, "it is not UTF-8", start + 1);
            }

            if (text.Any(char.IsControl))
            {
                throw Fail(field, "it contains a control character", start + 1);
            }

            return text;
        }

        public readonly void End()
        {
            if (!AtEnd)
            {
                throw Fail("end", $"{bytes.Length - Offset} bytes follow the last field");
            }
        }

        public readonly KeyRecordException Fail(string field, string problem, int? at = null)
            => new($"{source}: not a valid {kind}: {field} at byte {at ?? Offset}: {problem}.");
    }
}
