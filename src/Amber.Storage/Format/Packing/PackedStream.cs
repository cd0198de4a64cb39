using System.Buffers;

namespace Amber.Storage.Format.Packing;

/// <summary>
/// Constants and varints of the packed commit stream, codecs 3 and 4 (docs/format/record-frame.md §10).
/// Per entry: <c>u8 type | varint packed length | packed body</c>. Inside JSON bodies three control bytes start tokens.
/// </summary>
internal static class PackedStream
{
    /// <summary><c>0x01 varint k</c>: the 71 characters <c>sha256:HEX</c> of the id of entry k of this frame.</summary>
    public const byte IdToken = 0x01;

    /// <summary>
    /// <c>0x02 varint k | varint d | d × varint offset | varint start | varint length</c>: the canonical contents of
    /// bytes start..start+length of a string literal's decoded value, found in blob entry k, d literals deep.
    /// </summary>
    public const byte StringToken = 0x02;

    /// <summary><c>0x03</c> and 32 bytes: the 71 characters <c>sha256:</c> + lower-case hex of those bytes.</summary>
    public const byte DigestToken = 0x03;

    /// <summary><c>0x04 varint k</c>: <c>sha256:HEX</c> of the ids in Membership entry k's <c>nodes</c>, joined by <c>\n</c>.</summary>
    public const byte NodesDigestToken = 0x04;

    /// <summary><c>0x05</c>: <c>sha256:HEX</c> of the ids of this frame's Blob and ExternalBlob entries, in order, joined by <c>\n</c>.</summary>
    public const byte BlobsDigestToken = 0x05;

    /// <summary>How many literals deep a string token may reach (a JSON body inside a string inside a document…).</summary>
    public const int MaxDepth = 4;

    /// <summary>Length of <c>sha256:</c> and 64 hex digits.</summary>
    public const int IdLength = 71;

    public static bool IsJson(EntryType type) => type is EntryType.Info or EntryType.Conversation or EntryType.Model
        or EntryType.Node or EntryType.Membership or EntryType.Annotation;

    /// <summary>Entries other entries can name by id: their id is SHA-256 of their body, or the digest they carry.</summary>
    public static bool HasId(EntryType type) => type is EntryType.Model or EntryType.Node or EntryType.Annotation
        or EntryType.Blob or EntryType.ExternalBlob or EntryType.Conversation;

    /// <summary>
    /// The order entries are unpacked in, and which they may name: an entry may name only entries of a lower rank, or
    /// earlier ones of its own rank. Id-bearing entries come first, then Membership, then Info.
    /// </summary>
    public static int Rank(EntryType type) => type switch
    {
        EntryType.Info => 2,
        EntryType.Membership => 1,
        _ => 0,
    };

    /// <summary>True if entry <paramref name="k"/> is unpacked before entry <paramref name="i"/>, so i may name it.</summary>
    public static bool MayName(EntryType iType, int i, EntryType kType, int k) =>
        Rank(kType) < Rank(iType) || (Rank(kType) == Rank(iType) && k < i);

    public static void WriteVarint(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }

    public static int VarintLength(uint value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    /// <summary>Reads an unsigned LEB128 value of at most 5 bytes that fits in an int; throws on anything else.</summary>
    public static int ReadVarint(ReadOnlySpan<byte> s, ref int pos, string what)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (pos >= s.Length)
            {
                throw new FormatException($"packed stream: {what} cut short at byte {pos}.");
            }

            var b = s[pos++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (value > int.MaxValue || (shift == 28 && b > 0x0F))
                {
                    throw new FormatException($"packed stream: {what} at byte {pos - 1} is out of range.");
                }

                return (int)value;
            }
        }

        throw new FormatException($"packed stream: {what} at byte {pos} is longer than 5 bytes.");
    }
}
