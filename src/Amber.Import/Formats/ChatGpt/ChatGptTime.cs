using System.Text.Json.Nodes;
using Amber.Core.Time;

namespace Amber.Import.Formats.ChatGpt;

/// <summary>ChatGPT times are unix seconds with a fraction; Amber writes RFC 3339 UTC with microseconds.</summary>
internal static class ChatGptTime
{
    private const decimal MaxSeconds = 253402300799m; // 9999-12-31T23:59:59Z

    /// <summary>The RFC 3339 form of a unix-seconds value, or null when it is absent or not a usable number.</summary>
    public static string? ToRfc3339(JsonNode? value)
    {
        // The number's own text, read as a decimal, so microseconds survive exactly (a double would blur them).
        if (value is not JsonValue v || !v.TryGetValue(out decimal seconds) || seconds < 0 || seconds > MaxSeconds)
        {
            return null;
        }

        var micros = decimal.Round(seconds * 1_000_000m, MidpointRounding.ToEven);
        var time = DateTime.UnixEpoch.AddTicks((long)micros * 10);
        return Timestamps.FormatMicroseconds(time);
    }
}
