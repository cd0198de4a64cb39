using System.Threading.Channels;
using Amber.Core.Diagnostics;
using Amber.Core.Json;
using Amber.Storage.Catalogue;
using Amber.Storage.Diagnostics;
using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Storage.Log;
using Amber.Storage.Segments;

namespace Amber.Storage.Commits;

/// <summary>
/// The commit pipeline, the archive's single writer: prepare (<see cref="CommitPreparer"/>: validate, build the
/// payload) → compress (<see cref="FrameEncoder"/>) → append (<see cref="ActiveSegment"/>, which seals a full
/// segment) → fsync → acknowledge → log and checkpoint, then the hand-off to the <see cref="Indexer"/>. Concurrent
/// commits queue up; the loop takes everything queued, writes the frames, fsyncs once (group commit) and
/// acknowledges them together, then hands the group to the indexer and goes on with the next one.
/// </summary>
/// <remarks>
/// Write-path policy, stated once: a batch is validated completely before any byte is written, so bad
/// input fails alone and changes nothing. Once bytes are being written, any I/O failure (a failed write,
/// a failed fsync) poisons the writer — every pending and later commit fails with that error, because
/// the state of the tail is unknown; reopening the archive recovers it by cutting the torn tail. Any other
/// exception on the writer's thread (an allocation failure, a failed read while preparing) poisons it the same
/// way, so the thread never ends with commits waiting on it.
/// Cancellation is honoured only before a commit's bytes are written. A commit is acknowledged only
/// after its frame and everything it references have been fsynced.
/// </remarks>
internal sealed class CommitPipeline : IDisposable, IAsyncDisposable
{
    private readonly ArchiveOptions options;
    private readonly SegmentStore segments;
    private readonly ArchiveCatalogue catalogue;
    private readonly ArchiveLog log;
    private readonly SemaphoreSlim writeGate;
    private readonly Channel<PendingCommit> queue = Channel.CreateUnbounded<PendingCommit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;
    private readonly ManualResetEventSlim arrived = new(false, spinCount: 0); // set by whoever queues, by the checkpoint timer and by Dispose; blocks at once (no spinning per wake-up)
    private ITimer? checkpointTimer; // writer thread only
    private readonly FrameEncoder encoder;
    private readonly CommitPreparer preparer;
    private readonly ActiveSegment tail;
    private readonly Indexer indexer;
    private Exception? poisoned;
    private DateTimeOffset lastCheckpointAt;
    private int queued;
    private long lastCheckpointSize;
    private long seq;
    private int disposed;

    public CommitPipeline(SegmentStore segments, ArchiveCatalogue catalogue, ArchiveLog log, SemaphoreSlim writeGate, SegmentState state)
    {
        options = segments.Options;
        this.segments = segments;
        this.catalogue = catalogue;
        this.log = log;
        this.writeGate = writeGate;
        tail = new ActiveSegment(segments, state);
        encoder = new FrameEncoder(options, segments);
        preparer = new CommitPreparer(options, segments, catalogue, encoder);
        seq = log.Size; // authenticated against the segments on open (LogAuthenticator)
        lastCheckpointSize = log.LatestCheckpointSize;
        catalogue.Unindexed.Start(seq); // the index was caught up with the segments when the archive opened
        indexer = new Indexer(catalogue, options.Log);
        StorageMetrics.Track(catalogue.Unindexed);
        // A thread of its own: the loop blocks on writes and fsyncs, which must not hold a thread-pool thread that
        // request handling (the gateway's, say) needs.
        loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Where the data ends.</summary>
    public SegmentState State => tail.State;

    /// <summary>Why the writer refuses every commit now (a failed write or index update), or null while it takes them.</summary>
    public Exception? Failure => Volatile.Read(ref poisoned) ?? indexer.Failure;

    /// <summary>
    /// Seals the active segment early, if its frames take at least <paramref name="minimumBytes"/> (compaction re-encodes
    /// only sealed segments). Call with the write gate held: the writer thread is then between groups.
    /// </summary>
    public bool SealActive(long minimumBytes)
    {
        if (poisoned is { } failed)
        {
            throw new IOException("The archive writer failed earlier; reopen the archive to recover.", failed);
        }

        try
        {
            return tail.SealIfAtLeast(minimumBytes);
        }
        catch (Exception e)
        {
            poisoned = e; // the tail's state is unknown now, as after a failed group
            throw;
        }
    }

    /// <summary>Waits until the indexer has done with every group handed to it so far.</summary>
    public void WaitForIndexer() => indexer.WaitIdle();

    /// <summary>
    /// At most this many commits, or decoded bytes, wait for the indexer before the writer waits for it. A group held
    /// for the indexer costs about twice its decoded bytes (the payload, its nodes' canonical bytes, the frame), so
    /// 128 MiB here let a bulk import hold ~250 MB the indexer was not using yet. 16 MiB: since a bulk import writes at
    /// zstd level 3 the writer outruns the indexer, so this queue stays full; at 48 MiB a full one took the import's peak
    /// RSS from ~505 to ~620 MB (BENCHMARKS §33), and a deeper queue buys no speed when the indexer is the slower stage.
    /// </summary>
    private const int MaxUnindexedCommits = 2048;
    private const long MaxUnindexedBytes = 16L << 20;

    public Task<CommitResult> Enqueue(CommitBatch batch, CancellationToken ct)
    {
        if ((poisoned ?? indexer.Failure) is { } failed)
        {
            return Task.FromException<CommitResult>(new IOException("The archive writer failed earlier; reopen the archive to recover.", failed));
        }

        var p = new PendingCommit(batch, ct) { Arrived = options.TimeProvider.GetTimestamp() };
        Interlocked.Increment(ref queued);
        if (!queue.Writer.TryWrite(p))
        {
            return Task.FromException<CommitResult>(new ObjectDisposedException(nameof(Archive)));
        }

        arrived.Set();
        return p.Completion.Task;
    }

    /// <summary>Queues a request to sign a checkpoint over everything committed so far, now.</summary>
    public Task<CommitResult> EnsureCheckpoint()
    {
        var p = new PendingCommit(null, CancellationToken.None);
        Interlocked.Increment(ref queued);
        if (!queue.Writer.TryWrite(p))
        {
            return Task.FromException<CommitResult>(new ObjectDisposedException(nameof(Archive)));
        }

        arrived.Set();
        return p.Completion.Task;
    }

    private void Run()
    {
        var group = new List<PendingCommit>();
        while (WaitForWork(out var fromTimer))
        {
            group.Clear();
            if (fromTimer)
            {
                group.Add(new PendingCommit(null, CancellationToken.None));
                Interlocked.Increment(ref queued);
                ProcessGroup(group, fromTimer: true);
                continue;
            }

            while (group.Count < 256 && queue.Reader.TryRead(out var p))
            {
                group.Add(p);
                Interlocked.Decrement(ref queued);
            }

            ProcessGroup(group);
        }
    }

    /// <summary>
    /// Blocks until something is queued (true), or the checkpoint interval has passed with log entries that no
    /// checkpoint covers and nothing queued (true, <paramref name="fromTimer"/>: at most one checkpoint per
    /// <see cref="ArchiveOptions.CheckpointInterval"/> under load, and one soon after the load stops), or the queue
    /// is closed and empty (false). The caller that queues sets <see cref="arrived"/> itself, so the writer wakes
    /// without waiting for a thread-pool thread to run a continuation first.
    /// </summary>
    private bool WaitForWork(out bool fromTimer)
    {
        fromTimer = false;
        try
        {
            while (true)
            {
                arrived.Reset();
                if (queue.Reader.TryPeek(out _))
                {
                    return true;
                }

                if (queue.Reader.Completion.IsCompleted)
                {
                    return false;
                }

                if (poisoned is null && log.Size > lastCheckpointSize)
                {
                    var remaining = options.CheckpointInterval - (options.TimeProvider.GetUtcNow() - lastCheckpointAt);
                    if (remaining <= TimeSpan.Zero)
                    {
                        fromTimer = true;
                        return true;
                    }

                    checkpointTimer ??= options.TimeProvider.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), arrived, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    checkpointTimer.Change(remaining, Timeout.InfiniteTimeSpan);
                }

                arrived.Wait();
            }
        }
        finally
        {
            checkpointTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void ProcessGroup(List<PendingCommit> group, bool fromTimer = false)
    {
        try
        {
            // Back-pressure: the indexer keeps every group it has not indexed yet in memory.
            catalogue.Unindexed.WaitUntilBelow(MaxUnindexedCommits, MaxUnindexedBytes);
            writeGate.Wait();
            try
            {
                ProcessGroupCore(group, fromTimer);
            }
            finally
            {
                writeGate.Release();
            }
        }
        catch (Exception e)
        {
            // Anything not handled on the way (an allocation failure, a failed read or index lookup while preparing):
            // the writer's state is unknown, so it stops as after a failed write. Were this thread to end instead, the
            // group's commits, and every commit queued after them, would never complete and their callers would wait
            // forever. What was acknowledged before stays acknowledged and durable.
            poisoned ??= e;
            foreach (var p in group)
            {
                p.Completion.TrySetException(new IOException($"The archive writer failed ({e.GetType().Name}: {e.Message}); this commit was not acknowledged. Reopen the archive to recover.", e));
            }
        }
    }

    private void ProcessGroupCore(List<PendingCommit> group, bool fromTimer)
    {
        if (fromTimer)
        {
            Interlocked.Decrement(ref queued);
        }

        var forced = group.Where(p => p.Batch is null).ToList();
        group = group.Where(p => p.Batch is not null).ToList();
        poisoned ??= indexer.Failure; // an index update failed: nothing may be validated against that index any more
        if (poisoned is not null)
        {
            foreach (var p in group.Concat(forced))
            {
                p.Completion.TrySetException(new IOException("The archive writer failed earlier; reopen the archive to recover.", poisoned));
            }

            return;
        }

        // 1. Validate and encode, in memory. A bad batch fails alone; nothing is written for it.
        preparer.BeginGroup();
        preparer.PrepareKeys(group.Where(p => !p.CancellationToken.IsCancellationRequested).Select(p => p.Batch!));

        var prepared = new List<(PendingCommit Pending, PreparedCommit Frame)>();
        var ids = new GroupIds();
        foreach (var p in group)
        {
            if (p.CancellationToken.IsCancellationRequested)
            {
                p.Completion.TrySetCanceled(p.CancellationToken);
                continue;
            }

            try
            {
                var frame = preparer.Prepare(p.Batch!, seq + prepared.Count + 1, ids);
                ids.Accept();
                if (frame.Unchanged)
                {
                    p.Completion.TrySetResult(new CommitResult(0, "", 0, 0, 0, 0, 0, frame.Conversations) { Unchanged = true });
                    continue;
                }

                prepared.Add((p, frame));
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or CanonicalJsonException or Amber.Core.Crypto.KeyAccessException)
            {
                // A bad batch, or one adding to a sealed or shredded conversation, fails alone.
                ids.Rollback();
                p.Completion.TrySetException(e);
            }
        }

        var wantCheckpoint = forced.Count > 0;
        if (prepared.Count == 0 && !(wantCheckpoint && log.Size > lastCheckpointSize))
        {
            foreach (var f in forced)
            {
                f.Completion.TrySetResult(new CommitResult(seq, "", State.Segment, State.End, 0, 0, 0, []) { Unchanged = true });
            }

            return;
        }

        // 2. Write: external blobs (each durable on its own), then the frames, then one fsync.
        var results = new List<(PendingCommit, PreparedCommit, long Offset, uint Segment)>();
        (byte[] Frame, uint Segment, long Offset, Amber.Transparency.Notes.SignedNote Note)? checkpoint = null;
        using var activity = AmberTelemetry.ActivitySource.StartActivity("amber.commit");
        long bytesWritten = 0;
        try
        {
            foreach (var (p, f) in prepared)
            {
                foreach (var (hex, bytes) in f.ExternalBlobs)
                {
                    tail.WriteExternalBlob(hex, bytes);
                    bytesWritten += bytes.Length;
                }

                if (f.DictionaryFrame is not null)
                {
                    tail.Append(f.DictionaryFrame, out var dictSegment, out var dictOffset);
                    f.DictionarySegment = dictSegment;
                    f.DictionaryOffset = dictOffset;
                }

                tail.Append(f.Frame, out var seg, out var off);
                bytesWritten += f.Frame.Length + (f.DictionaryFrame?.Length ?? 0);
                log.Append(f.InfoBytes);
                results.Add((p, f, off, seg));
            }

            // A checkpoint rides in the same fsync as the commits it covers, so it never names undurable data.
            if (wantCheckpoint || options.TimeProvider.GetUtcNow() - lastCheckpointAt >= options.CheckpointInterval)
            {
                checkpoint = WriteCheckpointFrame();
                bytesWritten += checkpoint.Value.Frame.Length;
            }

            var syncStarted = options.TimeProvider.GetTimestamp();
            tail.Sync();
            StorageMetrics.FsyncDuration.Record(options.TimeProvider.GetElapsedTime(syncStarted).TotalSeconds);
            segments.WriteCheckpoint(new Checkpoint(State.Segment, State.End), sync: false);
        }
        catch (Exception e)
        {
            poisoned = e;
            foreach (var p in prepared.Select(x => x.Pending).Concat(forced))
            {
                p.Completion.TrySetException(new IOException($"Commit failed while writing to {options.Directory}: {e.Message}", e));
            }

            return;
        }

        seq += results.Count;

        // 3. Durable: acknowledge at once, and hand the group to the indexer. Until the indexer has committed it, the
        // group's content is in catalogue.Unindexed (added before the acknowledgement), which the writer validates against
        // and a recorder's lookups read; every other index read waits for the indexer (IndexProgress). The acknowledged
        // mark goes before the checkpoint below: a reader that sees anything of this group then waits for its index.
        var unindexed = new UnindexedCommits.Group { LastSequence = seq };
        var frames = new List<Indexer.FrameToIndex>(results.Count + 1);
        foreach (var (_, f, off, seg) in results)
        {
            unindexed.Merge(f.Unindexed!);
            if (f.DictionaryFrame is not null)
            {
                frames.Add(new Indexer.FrameToIndex(FrameKind.Dictionary, f.DictionarySegment, f.DictionaryOffset, f.DictionaryFrame, null));
            }

            frames.Add(new Indexer.FrameToIndex(FrameKind.Commit, seg, off, f.Frame, f.Decoded));
        }

        if (checkpoint is { } written)
        {
            frames.Add(new Indexer.FrameToIndex(FrameKind.Checkpoint, written.Segment, written.Offset, written.Frame, null));
        }

        unindexed.FrameBytes = frames.Sum(f => (long)f.Frame.Length);
        catalogue.Unindexed.Add(unindexed);
        catalogue.IndexProgress.Acknowledged(seq);
        foreach (var (_, f, _, _) in results)
        {
            if (f.DictionaryFrame is not null)
            {
                // Readers that go by a frame's location rather than the index can decode it as soon as it is acknowledged.
                var (label, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(f.DictionaryFrame));
                segments.AddDictionary(Compression.DictionaryIdOf(dict), label, dict);
            }
        }

        if (checkpoint is { } signed)
        {
            // Durable with the group: anything that reads the log's latest checkpoint after the acknowledgement sees it.
            log.SetLatest(signed.Note);
        }

        indexer.Enqueue(new Indexer.Work(seq, frames, State.Segment, State.End));
        StorageMetrics.BytesWritten.Add(bytesWritten);
        StorageMetrics.Commits.Add(results.Count);
        activity?.SetTag("amber.commits", results.Count);
        activity?.SetTag("amber.bytes", bytesWritten);
        foreach (var (p, f, off, seg) in results)
        {
            p.Completion.TrySetResult(new CommitResult(f.Sequence, f.InfoId, seg, off, f.NewNodes, f.NewBlobs, f.Frame.Length, f.Conversations) { NewConversations = f.NewConversations });
            StorageMetrics.CommitDuration.Record(options.TimeProvider.GetElapsedTime(p.Arrived).TotalSeconds);
        }

        foreach (var f in forced)
        {
            f.Completion.TrySetResult(new CommitResult(seq, "", State.Segment, State.End, 0, 0, 0, []) { Unchanged = true });
        }
    }

    private (byte[] Frame, uint Segment, long Offset, Amber.Transparency.Notes.SignedNote Note) WriteCheckpointFrame()
    {
        var note = log.SignCheckpoint();
        var bytes = note.ToBytes();
        var frame = RecordFrame.Encode(FrameKind.Checkpoint, Codec.None, 0, bytes.Length, bytes);
        tail.Append(frame, out var segment, out var offset);
        lastCheckpointAt = options.TimeProvider.GetUtcNow();
        lastCheckpointSize = log.Size;
        return (frame, segment, offset, note);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return; // a failed writer is closed when it is reopened in place, and again with the archive
        }

        queue.Writer.TryComplete();
        arrived.Set();
        await loop.ConfigureAwait(false);
        checkpointTimer?.Dispose();
        indexer.Dispose(); // indexes every group handed over, then stops
        preparer.Dispose();
        poisoned ??= indexer.Failure;
        if (poisoned is null)
        {
            try
            {
                if (log.Size > log.LatestCheckpointSize)
                {
                    var cp = WriteCheckpointFrame();
                    tail.Sync();
                    using var tx = catalogue.Index.Begin();
                    catalogue.ApplyFrame(catalogue.Index, tx, encoder.Compression, cp.Segment, cp.Offset, cp.Frame);
                    catalogue.Index.SetPosition(tx, State.Segment, State.End);
                    tx.Commit();
                    log.SetLatest(cp.Note);
                }

                tail.Sync();
                segments.WriteCheckpoint(new Checkpoint(State.Segment, State.End), sync: true);
            }
            catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException)
            {
                // The data was synced at each commit; a stale writer.chk only means more to scan at open,
                // and a missing final log checkpoint is written by the next writer.
            }
        }

        StorageMetrics.Untrack(catalogue.Unindexed);
        tail.Dispose();
        encoder.Dispose();
    }
}
