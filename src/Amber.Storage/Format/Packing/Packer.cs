using System.Buffers;
using System.Security.Cryptography;

namespace Amber.Storage.Format.Packing;

/// <summary>
/// Packs a commit's entry sequence (record-frame.md §6) into the packed stream of codecs 3 and 4 (§10): blob digests
/// dropped, ids of this frame's entries and string values found in its blobs replaced by tokens. The result is only
/// returned if it unpacks to exactly the input and is shorter; otherwise the caller stores the frame unpacked.
/// </summary>
internal static class Packer
{
    /// <summary>The packed stream, or null when this payload is not packable or packing would not make it shorter.</summary>
    public static byte[]? TryPack(byte[] decoded)
    {
        List<CommitPayload.Entry> entries;
        try
        {
            entries = CommitPayload.Read(decoded);
        }
        catch (FormatException)
        {
            return null;
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var literals = new LiteralIndex();
        for (var k = 0; k < entries.Count; k++)
        {
            var (type, _, body) = entries[k];
            if (!PackedStream.HasId(type))
            {
                continue;
            }

            if (type is EntryType.Blob or EntryType.ExternalBlob && body.Length < 32)
            {
                return null;
            }

            var digest = type is EntryType.Blob or EntryType.ExternalBlob ? body.Span[..32] : SHA256.HashData(body.Span);
            ids.TryAdd(Convert.ToHexStringLower(digest), k);
            if (type == EntryType.Blob)
            {
                literals.AddBlob(k, body.Span[32..]);
            }
        }

        var output = new ArrayBufferWriter<byte>(decoded.Length / 2 + 64);
        var json = new ArrayBufferWriter<byte>();
        var value = new ArrayBufferWriter<byte>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (type, _, body) = entries[i];
            ReadOnlySpan<byte> packedBody;
            if (type == EntryType.Blob)
            {
                packedBody = body.Span[32..];
            }
            else if (!PackedStream.IsJson(type))
            {
                packedBody = body.Span;
            }
            else
            {
                json.ResetWrittenCount();
                if (!PackJson(i, PackedStream.HasId(type), body.Span, ids, literals, json, value))
                {
                    return null;
                }

                packedBody = json.WrittenSpan;
            }

            output.Write([(byte)type]);
            PackedStream.WriteVarint(output, (uint)packedBody.Length);
            output.Write(packedBody);
        }

        var packed = output.WrittenSpan.ToArray();
        if (packed.Length >= decoded.Length)
        {
            return null;
        }

        // Never trust the packer alone: what goes to disk must unpack to exactly what the index and the ids came from.
        try
        {
            return Unpacker.Unpack(packed, decoded.Length).AsSpan().SequenceEqual(decoded) ? packed : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool PackJson(int i, bool namesEarlierOnly, ReadOnlySpan<byte> body, Dictionary<string, int> ids, LiteralIndex literals, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> value)
    {
        if (body.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0)
        {
            return false; // not canonical JSON: control bytes are the packed stream's tokens
        }

        var pos = 0;
        while (pos < body.Length)
        {
            var q = body[pos..].IndexOf((byte)'"');
            if (q < 0)
            {
                output.Write(body[pos..]);
                break;
            }

            output.Write(body.Slice(pos, q + 1));
            var open = pos + q;
            var close = EndOfLiteral(body, open);
            if (close < 0)
            {
                return false;
            }

            var contents = body[(open + 1)..close];
            if (!TryId(i, namesEarlierOnly, contents, ids, output) && !TryString(open, body, contents, literals, output, value))
            {
                output.Write(contents);
            }

            output.Write("\""u8);
            pos = close + 1;
        }

        return true;
    }

    /// <summary>Offset of the quote that closes the literal opened at <paramref name="open"/>, or -1.</summary>
    private static int EndOfLiteral(ReadOnlySpan<byte> s, int open)
    {
        var i = open + 1;
        while (i < s.Length)
        {
            var next = s[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }

            i += next;
            if (s[i] == (byte)'"')
            {
                return i;
            }

            i += 2;
        }

        return -1;
    }

    private static bool TryId(int i, bool namesEarlierOnly, ReadOnlySpan<byte> contents, Dictionary<string, int> ids, ArrayBufferWriter<byte> output)
    {
        if (contents.Length != PackedStream.IdLength || !contents.StartsWith("sha256:"u8) || contents[7..].ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        var hex = System.Text.Encoding.ASCII.GetString(contents[7..]);
        if (ids.TryGetValue(hex, out var k) && (!namesEarlierOnly || k < i))
        {
            output.Write([PackedStream.IdToken]);
            PackedStream.WriteVarint(output, (uint)k);
            return true;
        }

        output.Write([PackedStream.DigestToken]);
        output.Write(Convert.FromHexString(hex));
        return true;
    }

    private static bool TryString(int open, ReadOnlySpan<byte> body, ReadOnlySpan<byte> contents, LiteralIndex literals, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> value)
    {
        if (contents.Length < LiteralIndex.MinLength || literals.Count == 0)
        {
            return false;
        }

        value.ResetWrittenCount();
        if (!JsonLiteral.TryDecode(body, open, value, out _) || value.WrittenCount < LiteralIndex.MinLength)
        {
            return false;
        }

        var found = literals.Find(value.WrittenSpan.ToArray());
        if (found is null)
        {
            return false;
        }

        var length = 1 + PackedStream.VarintLength((uint)found.Entry) + 1 + PackedStream.VarintLength(0) + PackedStream.VarintLength((uint)found.Value.Length);
        foreach (var o in found.Path)
        {
            length += PackedStream.VarintLength((uint)o);
        }

        if (length >= contents.Length)
        {
            return false;
        }

        output.Write([PackedStream.StringToken]);
        PackedStream.WriteVarint(output, (uint)found.Entry);
        PackedStream.WriteVarint(output, (uint)found.Path.Length);
        foreach (var o in found.Path)
        {
            PackedStream.WriteVarint(output, (uint)o);
        }

        PackedStream.WriteVarint(output, 0);
        PackedStream.WriteVarint(output, (uint)found.Value.Length);
        return true;
    }

    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);
}
