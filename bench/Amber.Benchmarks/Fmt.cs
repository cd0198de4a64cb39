using System.Globalization;

namespace Amber.Benchmarks;

/// <summary>Number formatting for the tables (invariant culture; MB = 10^6 bytes).</summary>
public static class Fmt
{
    public static string Bytes(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string MB(long n) => (n / 1e6).ToString("F2", CultureInfo.InvariantCulture);

    public static string Rate(double mbps) => mbps.ToString("F1", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);

    public static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture);

    public static string Ms(double ms) => ms.ToString("F3", CultureInfo.InvariantCulture);

    public static string Ratio(double r) => r.ToString("F3", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";

    public static string Int(long n) => n.ToString(CultureInfo.InvariantCulture);

    public static string MBps(long bytes, TimeSpan t) => Rate(bytes / 1e6 / t.TotalSeconds);
}
