using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Amber.Core.Json;

namespace Amber.Storage.Verification;

/// <summary>
/// Whether stored JSON is already in canonical form (RFC 8785, <see cref="CanonicalJson"/>), in one pass of a
/// <see cref="Utf8JsonReader"/> over the bytes, without re-serializing them: no byte between tokens but one separator,
/// member names strictly increasing (so none repeated), strings escaped minimally and valid UTF-8, numbers in ECMAScript
/// form. It answers true only when sure; anything it does not judge itself (a non-ASCII or escaped member name, an
/// unusual escape, invalid input) answers false, and the caller then canonicalizes as before to name the problem, so a
/// fault reads as it always did and no check is weaker (verify re-reads every node; re-serializing each was most of its
/// scan).
/// </summary>
internal static class CanonicalCheck
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = JsonLimits.StoredMaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>True when <paramref name="utf8"/> is canonical JSON; false when it is not, or when this check cannot tell.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return Check(utf8);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Check(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, Options);
        var end = 0; // where the previous token ended

        // Per open object: the start and length of its last member name (start -1 before its first).
        Span<(int Start, int Length)> names = stackalloc (int, int)[JsonLimits.StoredMaxDepth + 1];
        var depth = 0;
        while (reader.Read())
        {
            var start = (int)reader.TokenStartIndex;
            if (start != end && (start != end + 1 || utf8[end] is not ((byte)',' or (byte)':')))
            {
                return false; // whitespace, or anything else between tokens
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    names[++depth] = (-1, 0);
                    end = start + 1;
                    break;
                case JsonTokenType.StartArray:
                    ++depth;
                    names[depth] = (-1, 0);
                    end = start + 1;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    depth--;
                    end = start + 1;
                    break;
                case JsonTokenType.PropertyName:
                    {
                        var name = reader.ValueSpan;
                        if (reader.ValueIsEscaped || !System.Text.Ascii.IsValid(name))
                        {
                            return false; // ordered by UTF-16 code units: judged by the full canonicalization
                        }

                        var nameStart = start + 1;
                        var (prev, prevLength) = names[depth];
                        if (prev >= 0 && utf8.Slice(prev, prevLength).SequenceCompareTo(name) >= 0)
                        {
                            return false; // out of order, or repeated
                        }

                        names[depth] = (nameStart, name.Length);
                        end = start + name.Length + 2;
                        break;
                    }

                case JsonTokenType.String:
                    if (!MinimallyEscaped(reader.ValueSpan, reader.ValueIsEscaped))
                    {
                        return false;
                    }

                    end = start + reader.ValueSpan.Length + 2;
                    break;
                case JsonTokenType.Number:
                    if (!CanonicalNumber(reader.ValueSpan))
                    {
                        return false;
                    }

                    end = start + reader.ValueSpan.Length;
                    break;
                case JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null:
                    end = start + reader.ValueSpan.Length;
                    break;
                default:
                    return false;
            }
        }

        return end == utf8.Length && depth == 0 && end > 0;
    }

    /// <summary>
    /// A string's raw bytes as canonical form writes them: valid UTF-8, and escapes only for <c>"</c>, <c>\</c> and the
    /// control characters (<c>\b \t \n \f \r</c> by name, the rest as <c>\u00xx</c> in lower case).
    /// </summary>
    private static bool MinimallyEscaped(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!Utf8.IsValid(raw))
        {
            return false;
        }

        if (!escaped)
        {
            return true; // the reader admits no raw control character, quote or backslash
        }

        for (var i = raw.IndexOf((byte)'\\'); i >= 0; i = raw.IndexOf((byte)'\\'))
        {
            if (i + 1 >= raw.Length)
            {
                return false;
            }

            switch (raw[i + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    raw = raw[(i + 2)..];
                    break;
                case (byte)'u':
                    if (i + 6 > raw.Length || raw[i + 2] != '0' || raw[i + 3] != '0' || !LowerHex(raw[i + 4]) || !LowerHex(raw[i + 5]))
                    {
                        return false;
                    }

                    var c = (HexValue(raw[i + 4]) << 4) | HexValue(raw[i + 5]);
                    if (c >= 0x20 || c is '\b' or '\f' or '\n' or '\r' or '\t')
                    {
                        return false;
                    }

                    raw = raw[(i + 6)..];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool LowerHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f');

    private static int HexValue(byte b) => b <= '9' ? b - '0' : b - 'a' + 10;

    /// <summary>A number as ECMAScript writes it: small integers at a glance, anything else through <see cref="CanonicalJson.FormatNumber"/>.</summary>
    private static bool CanonicalNumber(ReadOnlySpan<byte> raw)
    {
        var digits = raw[0] == '-' ? raw[1..] : raw;
        if (digits.Length is > 0 and <= 15 && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            // An integer below 2^53 is written as its digits, with no leading zero; 0 never with a sign.
            return digits[0] != '0' || (digits.Length == 1 && raw.Length == 1);
        }

        if (raw.Length > 64)
        {
            return false; // longer than any number canonical form writes: the full canonicalization names it
        }

        Span<char> text = stackalloc char[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            text[i] = (char)raw[i];
        }

        var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return !double.IsInfinity(d) && CanonicalJson.FormatNumber(d).AsSpan().SequenceEqual(text);
    }
}
