using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Core.Json;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme): object members sorted by their names' UTF-16 code units,
/// no insignificant whitespace, strings escaped minimally, numbers in ECMAScript shortest form.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonDocumentOptions ParseOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = JsonLimits.StoredMaxDepth };
    private static readonly JsonDocumentOptions StrictParseOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = JsonLimits.StoredMaxDepth, AllowDuplicateProperties = false };

    // Encoding.UTF8 would silently replace a lone surrogate with U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Canonicalizes UTF-8 JSON text. Throws <see cref="CanonicalJsonException"/> on invalid input.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument doc;
        try
        {
            // Parse (not ParseValue) so that anything after the top-level value is rejected.
            doc = JsonDocument.Parse(utf8Json.ToArray(), ParseOptions);
        }
        catch (JsonException e)
        {
            throw new CanonicalJsonException($"Invalid JSON: {e.Message}", e);
        }

        using (doc)
        {
            return Canonicalize(doc.RootElement);
        }
    }

    /// <summary>Canonicalizes JSON text.</summary>
    public static string Canonicalize(string json)
    {
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(json);
        }
        catch (EncoderFallbackException e)
        {
            throw new CanonicalJsonException("Lone surrogate in JSON text.", e);
        }

        return Encoding.UTF8.GetString(Canonicalize(utf8));
    }

    public static byte[] Canonicalize(JsonElement element) => WithScratch(element, static (buffer, e) => Write(buffer, e));

    public static byte[] Canonicalize(JsonNode? node) => WithScratch(node, static (buffer, n) => Write(buffer, n));

    private static byte[] WithScratch<T>(T value, Action<IBufferWriter<byte>, T> write)
    {
        var buffer = RentBuffer();
        try
        {
            write(buffer, value);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ReturnBuffer(buffer);
        }
    }

    /// <summary>One scratch buffer per thread: hashing a node canonicalizes it on every commit, and growing a fresh buffer each time was most of what that allocated.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? scratch;

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = scratch ?? new ArrayBufferWriter<byte>(4096);
        scratch = null; // a nested call (none today) would get its own
        return buffer;
    }

    private static void ReturnBuffer(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= 1 << 20)
        {
            buffer.ResetWrittenCount();
            scratch = buffer;
        }
    }

    /// <summary>Parses JSON into a mutable node, rejecting duplicate member names (RFC 8785 §3.1 requires I-JSON).</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            // One parse; duplicate member names are rejected by the parser itself.
            return JsonNode.Parse(utf8Json, documentOptions: StrictParseOptions);
        }
        catch (JsonException e)
        {
            throw new CanonicalJsonException($"Invalid JSON: {e.Message}", e);
        }
    }

    public static void Write(IBufferWriter<byte> output, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    if (!seen.Add(NameOf(p)))
                    {
                        throw new CanonicalJsonException($"Duplicate member name \"{p.Name}\".");
                    }

                    members.Add((p.Name, p.Value));
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                WriteByte(output, (byte)'{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        WriteByte(output, (byte)',');
                    }

                    WriteString(output, members[i].Name);
                    WriteByte(output, (byte)':');
                    Write(output, members[i].Value);
                }

                WriteByte(output, (byte)'}');
                break;
            case JsonValueKind.Array:
                WriteByte(output, (byte)'[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        WriteByte(output, (byte)',');
                    }

                    first = false;
                    Write(output, item);
                }

                WriteByte(output, (byte)']');
                break;
            case JsonValueKind.String:
                WriteString(output, StringOf(element));
                break;
            case JsonValueKind.Number:
                WriteAscii(output, FormatNumber(ParseNumber(element.GetRawText())));
                break;
            case JsonValueKind.True:
                WriteAscii(output, "true");
                break;
            case JsonValueKind.False:
                WriteAscii(output, "false");
                break;
            case JsonValueKind.Null:
                WriteAscii(output, "null");
                break;
            default:
                throw new CanonicalJsonException($"Unsupported JSON value kind {element.ValueKind}.");
        }
    }

    public static void Write(IBufferWriter<byte> output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                WriteAscii(output, "null");
                break;
            case JsonObject obj:
                var members = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
                members.AddRange(obj);
                members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                WriteByte(output, (byte)'{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        WriteByte(output, (byte)',');
                    }

                    WriteString(output, members[i].Key);
                    WriteByte(output, (byte)':');
                    Write(output, members[i].Value);
                }

                WriteByte(output, (byte)'}');
                break;
            case JsonArray arr:
                WriteByte(output, (byte)'[');
                for (var i = 0; i < arr.Count; i++)
                {
                    if (i > 0)
                    {
                        WriteByte(output, (byte)',');
                    }

                    Write(output, arr[i]);
                }

                WriteByte(output, (byte)']');
                break;
            case JsonValue value:
                WriteValue(output, value);
                break;
            default:
                throw new CanonicalJsonException($"Unsupported JSON node {node.GetType().Name}.");
        }
    }

    private static void WriteValue(IBufferWriter<byte> output, JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            Write(output, element);
            return;
        }

        if (value.TryGetValue(out string? s))
        {
            WriteString(output, s);
            return;
        }

        if (value.TryGetValue(out bool b))
        {
            WriteAscii(output, b ? "true" : "false");
            return;
        }

        if (value.TryGetValue(out long l))
        {
            WriteAscii(output, FormatNumber(l));
            return;
        }

        if (value.TryGetValue(out int i))
        {
            WriteAscii(output, FormatNumber(i));
            return;
        }

        if (value.TryGetValue(out double d))
        {
            WriteAscii(output, FormatNumber(d));
            return;
        }

        if (value.TryGetValue(out ulong ul))
        {
            WriteAscii(output, FormatNumber(ul));
            return;
        }

        if (value.TryGetValue(out decimal m))
        {
            WriteAscii(output, FormatNumber((double)m));
            return;
        }

        if (value.TryGetValue(out float f))
        {
            WriteAscii(output, FormatNumber(f));
            return;
        }

        // Fall back to the serializer's own representation, then canonicalize that.
        using var doc = JsonDocument.Parse(value.ToJsonString());
        Write(output, doc.RootElement);
    }

    private static double ParseNumber(string raw)
    {
        var d = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(d))
        {
            throw new CanonicalJsonException($"Number {raw} is outside the IEEE 754 double range.");
        }

        return d;
    }

    /// <summary>Formats a double as ECMAScript's Number.prototype.toString does (RFC 8785 §3.2.2.3).</summary>
    public static string FormatNumber(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new CanonicalJsonException("NaN and Infinity are not valid JSON numbers.");
        }

        if (value == 0)
        {
            return "0"; // -0 serializes as 0
        }

        // "R" yields the shortest round-tripping digits; take them apart into digits and exponent.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest[0] == '-';
        if (negative)
        {
            shortest = shortest[1..];
        }

        string mantissa;
        var exp = 0;
        var ePos = shortest.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            mantissa = shortest[..ePos];
            exp = int.Parse(shortest[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = shortest;
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits;
        int pointPos; // position of the decimal point relative to the start of digits
        if (dot >= 0)
        {
            digits = string.Concat(mantissa.AsSpan(0, dot), mantissa.AsSpan(dot + 1));
            pointPos = dot;
        }
        else
        {
            digits = mantissa;
            pointPos = mantissa.Length;
        }

        // Strip leading zeros (e.g. "0.001") and trailing zeros.
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..];
        pointPos -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        // value = 0.d1d2...dk × 10^n in ECMAScript's terms, where n = pointPos + exp.
        var k = digits.Length;
        var n = pointPos + exp;
        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static void WriteString(IBufferWriter<byte> output, string s)
    {
        // Runs of characters that need no escaping are transcoded to UTF-8 straight into the output. A run ends only
        // at a character to escape or at a surrogate; a valid pair is stepped over whole, so no run splits one.
        WriteByte(output, (byte)'"');
        var text = s.AsSpan();
        var start = 0;
        var i = 0;
        while (true)
        {
            var next = text[i..].IndexOfAny(StringSpecials);
            if (next < 0)
            {
                break;
            }

            i += next;
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i += 2;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                throw new CanonicalJsonException($"Lone surrogate U+{(int)c:X4} in string.");
            }

            WriteUtf8(output, text[start..i]);
            WriteAscii(output, c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
            start = ++i;
        }

        WriteUtf8(output, text[start..]);
        WriteByte(output, (byte)'"');
    }

    /// <summary>What ends a run of characters copied as they are: the escaped characters and every surrogate.</summary>
    private static readonly SearchValues<char> StringSpecials = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)) + "\"\\" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        output.Advance(Encoding.UTF8.GetBytes(chars, span));
    }

    // System.Text.Json reports escaped lone surrogates and invalid UTF-8 only when a string is decoded.
    private static string StringOf(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new CanonicalJsonException($"Invalid string: {e.Message}", e);
        }
    }

    private static string NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new CanonicalJsonException($"Invalid member name: {e.Message}", e);
        }
    }

    private static void WriteAscii(IBufferWriter<byte> output, string s)
    {
        var span = output.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            span[i] = (byte)s[i];
        }

        output.Advance(s.Length);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
