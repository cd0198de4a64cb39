namespace Amber.Storage.Commits;

/// <summary>A queued commit, or (with no batch) a request for a checkpoint.</summary>
internal sealed class PendingCommit(CommitBatch? batch, CancellationToken ct)
{
    public CommitBatch? Batch { get; } = batch;

    public CancellationToken CancellationToken { get; } = ct;

    /// <summary>When the commit was queued (<see cref="TimeProvider.GetTimestamp"/>), for the commit latency histogram.</summary>
    public long Arrived { get; init; }

    public TaskCompletionSource<CommitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
