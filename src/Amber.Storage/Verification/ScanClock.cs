namespace Amber.Storage.Verification;

/// <summary>Time the segment scan spends in each kind of work, summed over frames and the threads that prepare them (the bench's <c>verify --phases</c>).</summary>
internal sealed class ScanClock(TimeProvider time)
{
    private readonly long[] ticks = new long[Names.Length];

    public static readonly string[] Names =
    [
        "segment scan: read frames, CRC, footer SHA-256",
        "segment scan: decompress (zstd, unpacking)",
        "segment scan: node ids (SHA-256 of each node)",
        "segment scan: canonical form of each node",
        "segment scan: parse each node",
        "segment scan: every other check of a commit",
        "segment scan: split into entries, parse commit infos",
    ];

    public long Now() => time.GetTimestamp();

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="slot"/>; returns now.</summary>
    public long Add(int slot, long since)
    {
        var now = time.GetTimestamp();
        ticks[slot] += now - since;
        return now;
    }

    /// <summary>Adds time measured elsewhere (a frame prepared on the pool), per kind of work.</summary>
    public void Add(long[] elapsed)
    {
        for (var i = 0; i < ticks.Length; i++)
        {
            ticks[i] += elapsed[i];
        }
    }

    public void Report(VerifyReport report)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            report.Phases.Add((Names[i], TimeSpan.FromSeconds(ticks[i] / (double)time.TimestampFrequency)));
        }
    }
}
