using Amber.Storage.FileSystem;

namespace Amber.Storage;

/// <summary>
/// Reports a segment scan's progress to an optional sink, at most once per <see cref="Step"/> bytes (a report per frame
/// would cost more than the frame), and always once at the end so the counts a caller sees reach the total.
/// </summary>
internal sealed class ScanProgressReporter
{
    private const long Step = 1 << 20;

    private readonly IProgress<ScanProgress>? sink;
    private long frames;
    private long lastReported = -Step;

    private ScanProgressReporter(IProgress<ScanProgress>? sink, long total)
    {
        this.sink = sink;
        Total = total;
    }

    public long Total { get; }

    /// <summary>A reporter over the given segments' lengths (the last one read up to <paramref name="lastEnd"/> when given); none is measured without a sink.</summary>
    public static ScanProgressReporter For(IProgress<ScanProgress>? sink, IFileSystem fs, ArchivePaths paths, IEnumerable<uint> segments, (uint Segment, long End)? lastEnd = null)
    {
        if (sink is null)
        {
            return new ScanProgressReporter(null, 0);
        }

        long total = 0;
        foreach (var n in segments)
        {
            if (lastEnd is { } l && l.Segment == n)
            {
                total += l.End;
                continue;
            }

            using var file = fs.OpenRead(paths.Segment(n));
            total += file.Length;
        }

        return new ScanProgressReporter(sink, total);
    }

    /// <summary>One frame read; <paramref name="scanned"/> bytes of the total are now behind the scan.</summary>
    public void Frame(long scanned)
    {
        frames++;
        if (sink is not null && scanned - lastReported >= Step)
        {
            lastReported = scanned;
            sink.Report(new ScanProgress(frames, Math.Min(scanned, Total), Total));
        }
    }

    /// <summary>The scan is over: every byte of the total was read or found damaged and reported.</summary>
    public void Complete() => sink?.Report(new ScanProgress(frames, Total, Total));
}
