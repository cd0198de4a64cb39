using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Time;

namespace Amber.Import.Formats.ChatApps;

/// <summary>Small readers shared by the chat-app formats (Open WebUI, LibreChat, Chatbot UI).</summary>
internal static class ChatAppJson
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 };

    /// <summary>Parses a record that must be a JSON object; null when it is another JSON value.</summary>
    public static JsonObject? ParseObject(ReadOnlySpan<byte> bytes) => JsonNode.Parse(bytes, documentOptions: ParseOptions) as JsonObject;

    /// <summary>The string value of <paramref name="name"/>, or null when absent or not a string.</summary>
    public static string? String(JsonObject o, string name)
        => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A string or number id as text; null otherwise.</summary>
    public static string? Id(JsonObject o, string name)
        => o[name] is JsonValue v ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        } : null;

    /// <summary>
    /// A Unix time in seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude, as Open WebUI
    /// has written each), as RFC 3339 UTC; null when absent or not a number.
    /// </summary>
    public static string? EpochTime(JsonNode? value)
    {
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        var seconds = n switch
        {
            > 1e17m => n / 1e9m,
            > 1e14m => n / 1e6m,
            > 1e11m => n / 1e3m,
            _ => n,
        };
        var ticks = decimal.Round(seconds * TimeSpan.TicksPerSecond);
        return ticks > DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks
            ? null
            : Timestamps.FormatSourceTime(DateTimeOffset.UnixEpoch.AddTicks((long)ticks));
    }

    /// <summary>A time given either as a Unix number (<see cref="EpochTime"/>) or as ISO 8601 text (<see cref="IsoTime"/>); null otherwise.</summary>
    public static string? AnyTime(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? IsoTime(v.GetValue<string>())
        : EpochTime(value);

    /// <summary>A source's ISO 8601 time as RFC 3339 UTC (its fractional digits kept), or null if it does not parse.</summary>
    public static string? IsoTime(string? text) => Timestamps.TryParse(text, out var t) ? Timestamps.FormatSourceTime(t) : null;

    /// <summary>The members of <paramref name="o"/> other than <paramref name="except"/> (nulls kept), or null if none remain.</summary>
    public static JsonObject? Rest(JsonObject o, params ReadOnlySpan<string> except)
    {
        JsonObject? rest = null;
        foreach (var (key, value) in o)
        {
            if (except.Contains(key))
            {
                continue;
            }

            rest ??= [];
            rest[key] = value?.DeepClone();
        }

        return rest;
    }

    /// <summary>The errors a record's parsing and canonicalization can raise, reported as an import error naming the record.</summary>
    public static bool IsRecordError(Exception e)
        => e is JsonException or ArgumentException or InvalidOperationException or FormatException or Amber.Core.Json.CanonicalJsonException;
}
