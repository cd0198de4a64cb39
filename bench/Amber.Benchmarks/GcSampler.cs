namespace Amber.Benchmarks;

/// <summary>
/// Samples the GC's view of this process every few milliseconds while a run goes on: the most the managed heap held
/// (garbage included), the most it still held right after a collection (the live set then, with fragmentation), and
/// the most memory the GC had committed. Tells a live set that is too large from garbage not collected yet.
/// </summary>
public sealed class GcSampler : IDisposable
{
    private readonly Thread thread;
    private volatile bool stop;

    public GcSampler()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "bench-gc-sampler" };
        thread.Start();
    }

    public long PeakHeap { get; private set; }

    public long PeakAfterCollection { get; private set; }

    public long PeakCommitted { get; private set; }

    public int Gen2Collections { get; private set; }

    private readonly int gen2AtStart = GC.CollectionCount(2);

    private void Run()
    {
        while (!stop)
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(false));
            PeakAfterCollection = Math.Max(PeakAfterCollection, info.HeapSizeBytes);
            PeakCommitted = Math.Max(PeakCommitted, info.TotalCommittedBytes);
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        stop = true;
        thread.Join();
        Gen2Collections = GC.CollectionCount(2) - gen2AtStart;
    }
}
