namespace Amber.Storage.Reading;

/// <summary>One point of a monthly series: the month as "YYYY-MM" and its value.</summary>
public sealed record MonthCount(string Month, long Value);
