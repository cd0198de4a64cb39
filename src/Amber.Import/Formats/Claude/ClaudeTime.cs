using Amber.Core.Time;

namespace Amber.Import.Formats.Claude;

/// <summary>Claude's timestamps are ISO 8601 strings; nodes and records carry them as RFC 3339 UTC.</summary>
internal static class ClaudeTime
{
    public static DateTimeOffset? Parse(string? text)
        => Timestamps.Parse(text);

    /// <summary>RFC 3339 UTC; a timestamp already in that form is kept as written (its precision included).</summary>
    public static string? Normalize(string? text)
    {
        if (Parse(text) is not { } t)
        {
            return null;
        }

        if (text!.Length >= 20 && text[10] == 'T' && text[^1] == 'Z')
        {
            return text;
        }

        return Timestamps.FormatSourceTime(t);
    }
}
