using System.Text.RegularExpressions;
using Amber.Core.Time;
using Amber.Testing;

namespace Amber.Core.Tests.Time;

/// <summary>The timestamp forms, pinned: hashed records depend on them byte for byte.</summary>
public sealed partial class TimestampsTests
{
    // 2026-11-27T00:29:03.8981234Z, with an offset, so every form must convert to UTC.
    private static readonly DateTimeOffset Instant = new DateTimeOffset(2026, 11, 27, 2, 29, 3, TimeSpan.FromHours(2)).AddTicks(8_981_234);

    [Fact]
    public void Format_IsRfc3339UtcWithMilliseconds()
        => Assert.Equal("2026-11-27T00:29:03.898Z", Timestamps.Format(Instant));

    [Fact]
    public void FormatCommitTime_HasExactlySevenFractionalDigits()
    {
        Assert.Equal("2026-11-27T00:29:03.8981234Z", Timestamps.FormatCommitTime(Instant));
        Assert.Equal("2026-11-27T00:29:03.0000000Z", Timestamps.FormatCommitTime(new DateTimeOffset(2026, 11, 27, 0, 29, 3, TimeSpan.Zero)));
    }

    [Fact]
    public void FormatSourceTime_KeepsTheDigits_DropsTrailingZeros()
    {
        Assert.Equal("2026-11-27T00:29:03.8981234Z", Timestamps.FormatSourceTime(Instant));
        Assert.Equal("2026-11-27T00:29:03.5Z", Timestamps.FormatSourceTime(new DateTimeOffset(2026, 11, 27, 0, 29, 3, 500, TimeSpan.Zero)));
        Assert.Equal("2026-11-27T00:29:03Z", Timestamps.FormatSourceTime(new DateTimeOffset(2026, 11, 27, 0, 29, 3, TimeSpan.Zero)));
    }

    [Fact]
    public void FormatMicroseconds_HasExactlySixFractionalDigits()
        => Assert.Equal("2026-11-27T00:29:03.898123Z", Timestamps.FormatMicroseconds(new DateTime(2026, 11, 27, 0, 29, 3, DateTimeKind.Utc).AddTicks(8_981_230)));

    [Theory]
    [InlineData("2026-11-27T00:29:03.898Z")]
    [InlineData("2026-11-27T02:29:03.898+02:00")]
    [InlineData("2026-11-27T00:29:03.898")] // no offset: UTC
    [InlineData("2026-11-27 00:29:03.898")]
    public void TryParse_ReadsEveryForm_AsTheSameInstant(string text)
    {
        Assert.True(Timestamps.TryParse(text, out var t));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 0, 29, 3, 898, TimeSpan.Zero), t);
        Assert.Equal("2026-11-27T00:29:03.898Z", Timestamps.Format(t));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    public void TryParse_NotATime_IsFalse(string? text)
    {
        Assert.False(Timestamps.TryParse(text, out _));
        Assert.Null(Timestamps.Parse(text));
    }

    [Theory]
    [InlineData("2026-11-27T00:29:03Z")]
    [InlineData("2026-11-27T00:29:03.5Z")]
    [InlineData("2026-11-27T00:29:03.50Z")]
    [InlineData("2023-04-01T12:00:00.123456Z")]
    [InlineData("2023-04-01T12:00:00.1234567Z")]
    [InlineData("2023-04-01T12:00:00.0000000Z")]
    [InlineData("1969-12-31T23:59:59.9999999Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    public void TryPack_GivesBackTheExactText(string text)
    {
        Assert.True(Timestamps.TryPack(text, out var packed));
        Assert.Equal(text, Timestamps.Unpack(packed));
    }

    [Theory]
    [InlineData("2026-11-27T00:29:03+00:00")]
    [InlineData("2026-11-27T00:29:03z")]
    [InlineData("2026-11-27 00:29:03Z")]
    [InlineData("2026-11-27T00:29:03.12345678Z")]
    [InlineData("2026-11-27T00:29:03.Z")]
    [InlineData("2026-02-30T00:29:03Z")]
    [InlineData("9999-12-31T23:59:59Z")] // past the range an integer holds with the digit count
    [InlineData("yesterday")]
    public void TryPack_AnyOtherText_IsNotPacked(string text) => Assert.False(Timestamps.TryPack(text, out _));

    [Fact]
    public void TryPack_OrdersAsTheInstants()
    {
        string[] texts = ["1969-12-31T23:59:59.9Z", "1970-01-01T00:00:00Z", "2023-04-01T12:00:00.1Z", "2023-04-01T12:00:00.123456Z", "2023-04-01T12:00:01Z"];
        var packed = texts.Select(t => Timestamps.TryPack(t, out var p) ? p : throw new InvalidOperationException(t)).ToArray();
        Assert.Equal(packed.Order(), packed);
    }

    /// <summary>The rule is written once: no source file outside Timestamps formats or parses a timestamp itself.</summary>
    [Fact]
    public void Sources_FormatAndParseTimestampsOnlyThroughTimestamps()
    {
        var src = Path.Combine(RepositoryRoot.Path, "src");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith(Path.Combine("Amber.Core", "Time", "Timestamps.cs"), StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(src, f), Line: i + 1, Text: line)))
            .Where(l => OwnTimestampRule().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"HH:mm:ss|DateTimeOffset\.(Try)?Parse(Exact)?\(|DateTime\.(Try)?Parse\(|XmlConvert\.ToDateTime|ToString\(""[oOsu]""")]
    private static partial Regex OwnTimestampRule();
}
