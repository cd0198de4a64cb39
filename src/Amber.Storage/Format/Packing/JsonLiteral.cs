using System.Buffers;

namespace Amber.Storage.Format.Packing;

/// <summary>
/// The two string rules of the packed stream (docs/format/record-frame.md §10): how a JSON string literal found in a
/// source's bytes is decoded, and how a decoded value is escaped canonically (RFC 8785, as CanonicalJson writes it).
/// Both work on bytes: UTF-8 sequences pass through unchanged, so no text is transcoded.
/// </summary>
internal static class JsonLiteral
{
    /// <summary>
    /// Decodes the literal whose opening quote is at <paramref name="offset"/>: escapes are resolved (a <c>\u</c>
    /// surrogate pair becomes one UTF-8 sequence), every other byte is copied as it is, and the literal ends at the
    /// first unescaped quote. Returns false (and nothing) for a bad escape, a lone surrogate or a missing end quote.
    /// <paramref name="end"/> is the offset just after the closing quote.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, int offset, ArrayBufferWriter<byte> value, out int end)
    {
        end = 0;
        if ((uint)offset >= (uint)source.Length || source[offset] != (byte)'"')
        {
            return false;
        }

        var i = offset + 1;
        while (true)
        {
            var rest = source[i..];
            var next = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return false;
            }

            value.Write(rest[..next]);
            i += next;
            if (source[i] == (byte)'"')
            {
                end = i + 1;
                return true;
            }

            if (i + 1 >= source.Length)
            {
                return false;
            }

            var e = source[i + 1];
            switch (e)
            {
                case (byte)'"' or (byte)'\\' or (byte)'/':
                    value.Write([e]);
                    i += 2;
                    continue;
                case (byte)'b':
                    value.Write([(byte)'\b']);
                    i += 2;
                    continue;
                case (byte)'f':
                    value.Write([(byte)'\f']);
                    i += 2;
                    continue;
                case (byte)'n':
                    value.Write([(byte)'\n']);
                    i += 2;
                    continue;
                case (byte)'r':
                    value.Write([(byte)'\r']);
                    i += 2;
                    continue;
                case (byte)'t':
                    value.Write([(byte)'\t']);
                    i += 2;
                    continue;
                case (byte)'u':
                    break;
                default:
                    return false;
            }

            if (!TryHex4(source, i + 2, out var cp))
            {
                return false;
            }

            i += 6;
            if (cp is >= 0xDC00 and <= 0xDFFF)
            {
                return false;
            }

            if (cp is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 1 >= source.Length || source[i] != (byte)'\\' || source[i + 1] != (byte)'u' || !TryHex4(source, i + 2, out var low) || low is < 0xDC00 or > 0xDFFF)
                {
                    return false;
                }

                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            }

            WriteUtf8(value, cp);
        }
    }

    /// <summary>Writes the canonical contents (without quotes) of a string whose decoded value is these bytes.</summary>
    public static void WriteCanonical(ReadOnlySpan<byte> value, IBufferWriter<byte> output)
    {
        while (!value.IsEmpty)
        {
            var next = value.IndexOfAny(Specials);
            if (next < 0)
            {
                output.Write(value);
                return;
            }

            output.Write(value[..next]);
            var b = value[next];
            ReadOnlySpan<byte> escape = b switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\b' => "\\b"u8,
                (byte)'\f' => "\\f"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                (byte)'\t' => "\\t"u8,
                _ => [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', Hex[b >> 4], Hex[b & 15]],
            };
            output.Write(escape);
            value = value[(next + 1)..];
        }
    }

    /// <summary>True if <paramref name="contents"/> is exactly what <see cref="WriteCanonical"/> writes for <paramref name="value"/>.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> value, ReadOnlySpan<byte> contents)
    {
        if (!value.ContainsAny(Specials))
        {
            return value.SequenceEqual(contents); // the common case: nothing to escape
        }

        if (CanonicalLength(value) != contents.Length)
        {
            return false;
        }

        var canonical = new ArrayBufferWriter<byte>(contents.Length);
        WriteCanonical(value, canonical);
        return canonical.WrittenSpan.SequenceEqual(contents);
    }

    /// <summary>The length <see cref="WriteCanonical"/> would write.</summary>
    public static int CanonicalLength(ReadOnlySpan<byte> value)
    {
        var n = value.Length;
        foreach (var b in value)
        {
            if (b < 0x20)
            {
                n += b is (byte)'\b' or (byte)'\f' or (byte)'\n' or (byte)'\r' or (byte)'\t' ? 1 : 5;
            }
            else if (b is (byte)'"' or (byte)'\\')
            {
                n++;
            }
        }

        return n;
    }

    private static readonly SearchValues<byte> Specials = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (byte)i), (byte)'"', (byte)'\\']);

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    private static bool TryHex4(ReadOnlySpan<byte> s, int at, out int value) => Amber.Core.Json.JsonEscapes.TryReadHex4(s, at, out value);

    private static void WriteUtf8(ArrayBufferWriter<byte> output, int cp)
    {
        Span<byte> b = stackalloc byte[4];
        int n;
        if (cp < 0x80)
        {
            b[0] = (byte)cp;
            n = 1;
        }
        else if (cp < 0x800)
        {
            b[0] = (byte)(0xC0 | (cp >> 6));
            b[1] = (byte)(0x80 | (cp & 0x3F));
            n = 2;
        }
        else if (cp < 0x10000)
        {
            b[0] = (byte)(0xE0 | (cp >> 12));
            b[1] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (byte)(0x80 | (cp & 0x3F));
            n = 3;
        }
        else
        {
            b[0] = (byte)(0xF0 | (cp >> 18));
            b[1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            b[3] = (byte)(0x80 | (cp & 0x3F));
            n = 4;
        }

        output.Write(b[..n]);
    }
}
