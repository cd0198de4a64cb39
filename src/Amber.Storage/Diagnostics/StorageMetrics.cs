using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Amber.Core.Diagnostics;
using Amber.Storage.Index;

namespace Amber.Storage.Diagnostics;

/// <summary>
/// The storage instruments on <see cref="AmberTelemetry.Meter"/>, recorded where the work happens: the commit pipeline
/// (commit and fsync latency, bytes written), the indexer (lag, observed from the writers open in this process) and
/// verify (frames and bytes checked so far). Names follow the OpenTelemetry conventions; a Prometheus scrape shows
/// <c>amber_commit_duration_seconds</c>, <c>amber_storage_written_bytes_total</c> and so on.
/// </summary>
internal static class StorageMetrics
{
    private static readonly ConcurrentDictionary<UnindexedCommits, byte> Writers = new();

    /// <summary>From a commit's arrival at the writer's queue to its acknowledgement (durable): what a caller waits.</summary>
    public static readonly Histogram<double> CommitDuration = AmberTelemetry.Meter.CreateHistogram<double>(
        "amber.commit.duration", "s", "Time from a commit's arrival at the writer to its acknowledgement (fsynced)");

    /// <summary>One fsync of the segment tail, which a whole group of commits shares (group commit).</summary>
    public static readonly Histogram<double> FsyncDuration = AmberTelemetry.Meter.CreateHistogram<double>(
        "amber.fsync.duration", "s", "Time of one fsync of the active segment (one per group of commits)");

    public static readonly Counter<long> BytesWritten = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.storage.written", "By", "Bytes appended to segments and external blobs by the commit pipeline");

    public static readonly Counter<long> Commits = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.commits", "{commit}", "Commits acknowledged (durable)");

    public static readonly Counter<long> VerifiedFrames = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.verify.frames", "{frame}", "Frames checked by verify so far (its progress)");

    public static readonly Counter<long> VerifiedBytes = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.verify.bytes", "By", "Segment bytes checked by verify so far (its progress)");

    private static readonly ObservableGauge<long> IndexLagCommits = AmberTelemetry.Meter.CreateObservableGauge(
        "amber.index.lag", ObserveLag, "{commit}", "Commits acknowledged and not yet indexed, over the archives this process writes");

    /// <summary>Counts a writer's unindexed commits in <c>amber.index.lag</c> until <see cref="Untrack"/>.</summary>
    public static void Track(UnindexedCommits unindexed)
    {
        _ = IndexLagCommits; // the gauge exists once anything is tracked
        Writers.TryAdd(unindexed, 0);
    }

    public static void Untrack(UnindexedCommits unindexed) => Writers.TryRemove(unindexed, out _);

    private static long ObserveLag()
    {
        long total = 0;
        foreach (var writer in Writers.Keys)
        {
            total += writer.Lag().Commits;
        }

        return total;
    }
}
