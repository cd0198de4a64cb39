using Amber.Core.Time;

namespace Amber.Import.Formats;

/// <summary>
/// A conversation's <c>updated</c> when its source states no update time of its own but times its records (coding-agent
/// sessions, Takeout activity): the latest of those times, as RFC 3339 UTC (<see cref="Timestamps.FormatSourceTime"/>).
/// </summary>
internal static class LatestTime
{
    /// <summary>The latest of <paramref name="times"/> that parse, or null when none does.</summary>
    public static string? Of(IEnumerable<string?> times)
    {
        DateTimeOffset? latest = null;
        foreach (var text in times)
        {
            if (Timestamps.TryParse(text, out var t) && (latest is null || t > latest))
            {
                latest = t;
            }
        }

        return latest is { } l ? Timestamps.FormatSourceTime(l) : null;
    }
}
