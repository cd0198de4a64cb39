using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Core.Json;

/// <summary>
/// JSON text for people and scripts (the CLI's <c>--json</c>, the HTTP API): non-ASCII written as is, nesting up to
/// <see cref="JsonLimits.OutputMaxDepth"/>, and strings of any length the archive holds. System.Text.Json refuses a
/// single string value over 166,666,666 characters, so long strings are escaped here and written as raw values.
/// </summary>
public static class JsonText
{
    /// <summary>Strings this long or longer are escaped here rather than by the writer.</summary>
    private const int LongString = 1 << 20;

    public static string Write(JsonNode? node, bool indented = false)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = indented, MaxDepth = JsonLimits.OutputMaxDepth };
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (name, value) in o)
                {
                    w.WritePropertyName(name);
                    Write(w, value);
                }

                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var item in a)
                {
                    Write(w, item);
                }

                w.WriteEndArray();
                break;
            case JsonValue v when v.TryGetValue<string>(out var s) && s.Length >= LongString:
                w.WriteRawValue(Quote(s), skipInputValidation: true);
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }

    /// <summary>A JSON string literal in UTF-8: quotes, backslashes and control characters escaped (RFC 8259 §7).</summary>
    private static byte[] Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 16).Append('"');
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is not ('"' or '\\') && c >= 0x20)
            {
                continue;
            }

            sb.Append(s, start, i - start);
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => $"\\u{(int)c:x4}",
            });
            start = i + 1;
        }

        sb.Append(s, start, s.Length - start).Append('"');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
