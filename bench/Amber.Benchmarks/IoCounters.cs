using System.Diagnostics;

namespace Amber.Benchmarks;

/// <summary>Time spent in file operations, counted by <see cref="TimingFileSystem"/> (Stopwatch ticks).</summary>
public sealed class IoCounters
{
    private long fileSyncTicks;
    private long fileSyncs;
    private long directorySyncTicks;
    private long directorySyncs;
    private long writeTicks;
    private long writeBytes;
    private long readTicks;

    public TimeSpan FileSync => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref fileSyncTicks));

    public long FileSyncs => Interlocked.Read(ref fileSyncs);

    public TimeSpan DirectorySync => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref directorySyncTicks));

    public long DirectorySyncs => Interlocked.Read(ref directorySyncs);

    public TimeSpan Write => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref writeTicks));

    public long WriteBytes => Interlocked.Read(ref writeBytes);

    public TimeSpan Read => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref readTicks));

    /// <summary>When set, every file fsync's duration in milliseconds is added here too.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<double>? SyncLatencies { get; set; }

    public void Reset()
    {
        Interlocked.Exchange(ref fileSyncTicks, 0);
        Interlocked.Exchange(ref fileSyncs, 0);
        Interlocked.Exchange(ref directorySyncTicks, 0);
        Interlocked.Exchange(ref directorySyncs, 0);
        Interlocked.Exchange(ref writeTicks, 0);
        Interlocked.Exchange(ref writeBytes, 0);
        Interlocked.Exchange(ref readTicks, 0);
    }

    internal void AddFileSync(long ticks)
    {
        Interlocked.Add(ref fileSyncTicks, ticks);
        Interlocked.Increment(ref fileSyncs);
        SyncLatencies?.Enqueue(Stopwatch.GetElapsedTime(0, ticks).TotalMilliseconds);
    }

    internal void AddDirectorySync(long ticks)
    {
        Interlocked.Add(ref directorySyncTicks, ticks);
        Interlocked.Increment(ref directorySyncs);
    }

    internal void AddWrite(long ticks, int bytes)
    {
        Interlocked.Add(ref writeTicks, ticks);
        Interlocked.Add(ref writeBytes, bytes);
    }

    internal void AddRead(long ticks) => Interlocked.Add(ref readTicks, ticks);
}
