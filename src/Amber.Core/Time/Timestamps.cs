using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Amber.Core.Time;

/// <summary>
/// Every timestamp Amber writes or reads as text goes through here. Amber's own clock is written in one form,
/// <see cref="Format"/>: RFC 3339, UTC, exactly three fractional digits (<c>2026-11-27T00:29:03.898Z</c>), the form of
/// the hashed records Amber makes from its clock (captured and revived nodes, conversation records, annotations, a
/// gateway exchange's <c>started</c>) and of the manifest. Two other forms are fixed by bytes already hashed, so they
/// stay for the same input: the commit info's <c>time</c> (the log entry, <see cref="FormatCommitTime"/>, docs/format/log.md)
/// and the importers' normalisations of a source's own time (<see cref="FormatSourceTime"/>, <see cref="FormatMicroseconds"/>,
/// docs/format/hash-contract.md: node ids depend on them, and re-importing an export must find the same ids).
/// </summary>
public static class Timestamps
{
    private const string Milliseconds = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const string CommitTime = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private const string SourceTime = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
    private const string Micro = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The .NET format string of <see cref="Format"/> (UTC, milliseconds), for formatters that take one (log timestamps).</summary>
    public static string MillisecondsFormat => Milliseconds;

    /// <summary>Amber's one form: RFC 3339 UTC with milliseconds.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(Milliseconds, CultureInfo.InvariantCulture);

    /// <summary>The commit info's <c>time</c>: RFC 3339 UTC with exactly 7 fractional digits (log entries are hashed and signed).</summary>
    public static string FormatCommitTime(DateTimeOffset time) => time.UtcDateTime.ToString(CommitTime, CultureInfo.InvariantCulture);

    /// <summary>A source's time as importers store it: RFC 3339 UTC, its fractional digits kept, trailing zeros dropped.</summary>
    public static string FormatSourceTime(DateTimeOffset time) => time.UtcDateTime.ToString(SourceTime, CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 UTC with exactly 6 fractional digits: ChatGPT's unix-seconds times, whose precision is microseconds.</summary>
    public static string FormatMicroseconds(DateTime utc) => utc.ToString(Micro, CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an ISO 8601 / RFC 3339 timestamp in any of the forms above or a source's own; one without an offset is UTC.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out DateTimeOffset time)
    {
        time = default;
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    /// <summary>
    /// A time in the exact text a source gave, as one integer that gives that text back (<see cref="Unpack"/>): the ticks
    /// since 1970-01-01 UTC times 8, plus the number of fraction digits written (0–7), so packed times order as the instants
    /// they name. Only <c>yyyy-MM-ddTHH:mm:ss[.f…]Z</c> texts that <see cref="Unpack"/> writes back byte for byte are packed.
    /// </summary>
    public static bool TryPack(string text, out long packed)
    {
        packed = 0;
        var digits = text.Length == 20 ? 0 : text.Length - 21;
        if (digits is < 0 or > 7 || text[^1] != 'Z' || (digits > 0 && text[19] != '.'))
        {
            return false;
        }

        var format = PackedFormat(digits);
        if (!DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            || t.ToString(format, CultureInfo.InvariantCulture) != text)
        {
            return false;
        }

        var ticks = t.Ticks - DateTime.UnixEpoch.Ticks;
        if (ticks > long.MaxValue / 8 || ticks < long.MinValue / 8)
        {
            return false;
        }

        packed = (ticks * 8) + digits;
        return true;
    }

    /// <summary>The text a time was packed from (<see cref="TryPack"/>).</summary>
    public static string Unpack(long packed)
    {
        var digits = (int)(packed & 7);
        var utc = new DateTime(DateTime.UnixEpoch.Ticks + (packed >> 3), DateTimeKind.Utc);
        return utc.ToString(PackedFormat(digits), CultureInfo.InvariantCulture);
    }

    private static string PackedFormat(int digits) => digits == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss." + new string('f', digits) + "'Z'";

    /// <summary>As <see cref="TryParse"/>, or null.</summary>
    public static DateTimeOffset? Parse(string? text) => TryParse(text, out var t) ? t : null;
}
