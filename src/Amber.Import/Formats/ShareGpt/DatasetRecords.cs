using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Import.Json;

namespace Amber.Import.Formats.ShareGpt;

/// <summary>
/// Reading helpers shared by the dataset formats (oasst, sharegpt, openai-jsonl, hh-rlhf): the records of a
/// JSON array, a JSON Lines file or a single object, parsed with the same limits and errors.
/// </summary>
internal static class DatasetRecords
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 };

    /// <summary>The file's records: the elements of a top-level array, one value per line, or the one pretty-printed object.</summary>
    public static IEnumerable<JsonRecord> Read(ImportInput input, CancellationToken ct)
    {
        var (first, firstLineIsJson) = Peek(input);
        return first == (byte)'[' || !firstLineIsJson ? JsonRecordReader.ReadJson(input, ct) : JsonRecordReader.ReadJsonLines(input, ct);
    }

    /// <summary>Parses a record that must be a JSON object.</summary>
    public static JsonObject ParseObject(ImportInput input, JsonRecord record)
    {
        try
        {
            var o = JsonNode.Parse(record.Bytes.Span, documentOptions: DocumentOptions) as JsonObject
                ?? throw ImportException.At(input, record.Where, "expected a JSON object");
            CheckStringsAreText(input, record);
            return o;
        }
        catch (JsonException e)
        {
            throw ImportException.At(input, record.Where, "invalid JSON: " + e.Message, e);
        }
    }

    /// <summary>
    /// A string that escapes a lone surrogate ("\ud800") is valid JSON but not text: reading it throws wherever a mapper
    /// first touches it, so a record holding one is refused here, naming where (found by fuzzing: OpenAssistant ids).
    /// Only records whose bytes hold such an escape are walked. (ChatGPT exports, where real files have them, repair
    /// them in their own reader instead.)
    /// </summary>
    private static void CheckStringsAreText(ImportInput input, JsonRecord record)
    {
        var span = record.Bytes.Span;
        if (span.IndexOf("\\ud"u8) < 0 && span.IndexOf("\\uD"u8) < 0)
        {
            return;
        }

        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw ImportException.At(input, record.Where, $"the string at byte {record.Offset + reader.TokenStartIndex} is not text (it escapes a lone surrogate); the record is not imported.");
                }
            }
        }
    }

    /// <summary>The string value of <paramref name="name"/>, or null when absent or not a string.</summary>
    public static string? String(JsonObject o, string name)
        => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A record's own id (string or number), if it states one.</summary>
    public static string? OwnId(JsonObject o)
        => o["id"] is JsonValue v ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        } : null;

    /// <summary>A conversation title: the first non-blank line of <paramref name="text"/>, at most 80 characters.</summary>
    public static string? Title(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var line = text.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0);
        return line.Length <= 80 ? line : line[..79].TrimEnd() + "…";
    }

    /// <summary>A source timestamp as RFC 3339 UTC (fractional seconds kept, trailing zeros dropped), or null if it does not parse.</summary>
    public static string? Rfc3339(string? timestamp)
    {
        if (string.IsNullOrWhiteSpace(timestamp)
            || !Amber.Core.Time.Timestamps.TryParse(timestamp, out var t))
        {
            return null;
        }

        return Amber.Core.Time.Timestamps.FormatSourceTime(t);
    }

    /// <summary>The members of <paramref name="o"/> other than <paramref name="except"/> and nulls, or null if none remain.</summary>
    public static JsonObject? Rest(JsonObject o, params ReadOnlySpan<string> except)
    {
        JsonObject? rest = null;
        foreach (var (key, value) in o)
        {
            if (value is null || except.Contains(key))
            {
                continue;
            }

            rest ??= [];
            rest[key] = value.DeepClone();
        }

        return rest;
    }

    private static (byte First, bool FirstLineIsJson) Peek(ImportInput input)
    {
        // The first non-blank line decides: a complete JSON value on it means JSON Lines.
        using var s = input.Open();
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        int n;
        while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            var from = 0;
            if (line.Length == 0)
            {
                while (from < n && buffer[from] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
                {
                    from++;
                }
            }

            var nl = Array.IndexOf(buffer, (byte)'\n', from, n - from);
            line.Write(buffer, from, (nl < 0 ? n : nl) - from);
            if (nl >= 0 || line.Length > JsonRecordReader.MaxRecordBytes)
            {
                break;
            }
        }

        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length).TrimEnd(" \t\r"u8);
        if (bytes.IsEmpty)
        {
            return (0, false);
        }

        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 });
            reader.Read();
            reader.Skip();
            return (bytes[0], !reader.Read());
        }
        catch (JsonException)
        {
            return (bytes[0], false);
        }
    }
}
