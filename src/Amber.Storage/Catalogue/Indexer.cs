using System.Collections.Concurrent;
using Amber.Storage.Format;
using Amber.Storage.Index;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>
/// Indexes acknowledged write groups on a thread of its own, in commit order, several groups to one SQLite
/// transaction. The writer hands it each group once the group is durable and acknowledged, and goes on to the
/// next group without waiting. After the first group of a transaction, the indexer lets more arrive for
/// <see cref="BatchWindow"/>, unless a reader is waiting for the index (<see cref="IndexProgress"/> then hurries it):
/// at a few hundred commits a second, one transaction for several groups rewrites shared pages (the FTS segment, the
/// tables' right edges, the position) once instead of once per group, and refreshes each conversation it touches once
/// (a refresh reads the whole conversation). A longer wait (as long as the last transaction took, up to 250 ms) was
/// tried and measured worse: p99 at 200 calls/s 39.8 ms against 10.9 ms (BENCHMARKS §36). What is handed over and not yet indexed is
/// in <see cref="UnindexedCommits"/>; reads that need the index wait for it through <see cref="IndexProgress"/>.
/// A failed index update loses nothing (the commits are durable and the next open catches the index up): it
/// stops the writer, so no commit is validated against an index that will not catch up in this process.
/// </summary>
internal sealed class Indexer : IDisposable
{
    /// <summary>An index transaction takes more queued groups until it holds this many commits or decoded bytes.</summary>
    private const int MaxCommitsPerTransaction = 512;
    private const long MaxBytesPerTransaction = 32L << 20;

    /// <summary>How long the indexer lets groups gather before it indexes them, if no reader is waiting.</summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(10);

    private readonly ArchiveCatalogue catalogue;
    private readonly Action<string>? log;
    private readonly BlockingCollection<Work> queue = [];
    private readonly Thread thread;
    private readonly ManualResetEventSlim hurry = new(false, spinCount: 0); // a wake-up blocks at once: spinning cost CPU per call
    private readonly object idle = new();
    private long handed; // groups handed over, and groups done with (indexed, or given up after a failure)
    private long done;
    private Exception? failure;

    /// <summary>Queued by <see cref="KeyFiling"/>'s timer: file the keys made ahead that wait, with no frame to index.</summary>
    private static readonly Work FileKeys = new(-1, [], 0, 0);

    public Indexer(ArchiveCatalogue catalogue, Action<string>? log)
    {
        this.catalogue = catalogue;
        this.log = log;
        catalogue.IndexProgress.ReaderWaiting = hurry.Set;
        if (catalogue.KeyFiling is { } filing)
        {
            filing.Wake = () =>
            {
                try
                {
                    queue.TryAdd(FileKeys);
                }
                catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
                {
                    // Closing: the close files what waits.
                }
            };
        }

        thread = new Thread(Run) { IsBackground = true, Name = "amber-indexer" };
        thread.Start();
    }

    /// <summary>Set once an index update has failed; the writer then refuses further commits.</summary>
    public Exception? Failure => Volatile.Read(ref failure);

    /// <summary>One acknowledged write group: its frames in file order, and where the segment ended after it.</summary>
    internal sealed record Work(long LastSequence, IReadOnlyList<FrameToIndex> Frames, uint Segment, long End);

    /// <summary>A frame of a group. <paramref name="Decoded"/> is the commit payload (null for dictionary and checkpoint frames).</summary>
    internal sealed record FrameToIndex(FrameKind Kind, uint Segment, long Offset, byte[] Frame, byte[]? Decoded);

    public void Enqueue(Work work)
    {
        lock (idle)
        {
            handed++;
        }

        queue.Add(work);
    }

    /// <summary>
    /// Blocks until every group handed over so far is done with, checkpoint-only groups included (they do not move
    /// <see cref="IndexProgress"/>). The caller holds the writer between groups, so nothing new arrives meanwhile.
    /// </summary>
    public void WaitIdle()
    {
        if (Environment.CurrentManagedThreadId == thread.ManagedThreadId)
        {
            return;
        }

        hurry.Set();
        lock (idle)
        {
            while (done < handed)
            {
                Monitor.Wait(idle);
            }
        }
    }

    private void Run()
    {
        // Only this thread advances the index, so its own reads (a log callback that reads the archive) must not wait for it.
        catalogue.IndexProgress.RegisterIndexer();
        BackgroundPriority.LowerCurrentThread();
        var batch = new List<Work>();
        while (Take(batch))
        {
            if (batch.RemoveAll(w => ReferenceEquals(w, FileKeys)) > 0 && batch.Count == 0)
            {
                FileWaitingKeys();
                continue;
            }

            var last = batch[^1].LastSequence;
            try
            {
                if (Failure is null)
                {
                    Apply(batch);

                    // Only now may the in-memory copy go: the index transaction holding these commits has committed.
                    // It goes before readers are released, so a reader woken by Applied measures no lag for them.
                    catalogue.Unindexed.RemoveThrough(last);
                    catalogue.IndexProgress.Applied(last);
                    TruncateWal();
                }
            }
            catch (Exception e)
            {
                // Readers and a writer waiting for room are released first (readers see the index as it is), so the
                // log callback may read the archive. This thread must not die: an exception here would end the process.
                Volatile.Write(ref failure, e);
                catalogue.IndexProgress.Applied(last);
                catalogue.Unindexed.IndexerFailed();
                Report($"index update failed ({e.Message}); the commits are durable and the index catches up when the archive is next opened");
            }
            finally
            {
                catalogue.IndexProgress.Applied(last);
                lock (idle)
                {
                    done += batch.Count;
                    Monitor.PulseAll(idle);
                }
            }
        }
    }

    /// <summary>Files the keys made ahead that wait (encryption.md §4.1), in an index transaction of their own; a failure is retried.</summary>
    private void FileWaitingKeys()
    {
        if (Failure is not null || catalogue.KeyFiling is not { } filing)
        {
            return;
        }

        try
        {
            using var tx = catalogue.Index.Begin();
            filing.File(catalogue.Index, tx);
            tx.Commit();
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
        {
            Report($"filing the data keys made ahead failed ({e.Message}); they are filed with the next commits, or when the archive is next opened");
        }
    }

    /// <summary>Keeps the index's WAL bounded; a failure here loses nothing and is retried after the next transaction.</summary>
    private void TruncateWal()
    {
        try
        {
            catalogue.Index.TruncateWalIfLarge();
        }
        catch (SqliteException e)
        {
            Report($"index WAL checkpoint (truncate) failed ({e.Message}); retried after the next index transaction");
        }
    }

    private void Report(string message)
    {
        try
        {
            log?.Invoke(message);
        }
        catch (Exception)
        {
            // A failing log sink must not take the indexer thread, and with it the process, down.
        }
    }

    /// <summary>Waits for a group, then takes whatever else is queued, up to the transaction limits.</summary>
    private bool Take(List<Work> batch)
    {
        batch.Clear();
        if (!queue.TryTake(out var first, Timeout.Infinite))
        {
            return false;
        }

        batch.Add(first);
        if (queue.Count == 0 && !queue.IsAddingCompleted)
        {
            // More groups may arrive meanwhile; a waiting reader cuts this short.
            hurry.Wait(BatchWindow);
        }

        hurry.Reset();
        var commits = first.Frames.Count(f => f.Kind == FrameKind.Commit);
        var bytes = first.Frames.Sum(f => (long)(f.Decoded?.Length ?? 0));
        while (commits < MaxCommitsPerTransaction && bytes < MaxBytesPerTransaction && queue.TryTake(out var next))
        {
            batch.Add(next);
            commits += next.Frames.Count(f => f.Kind == FrameKind.Commit);
            bytes += next.Frames.Sum(f => (long)(f.Decoded?.Length ?? 0));
        }

        return true;
    }

    private void Apply(List<Work> batch)
    {
        var index = catalogue.Index;
        var changes = new ConversationChanges(); // conversations brought up to date once, after all of the batch's commits
        using var tx = index.Begin();
        // The keys made ahead that the commits name, noted with them and filed under their conversations when due (encryption.md §4.1).
        catalogue.KeyFiling?.Note(index, tx, batch.SelectMany(w => w.Frames).Where(f => f.Kind == FrameKind.Commit).Select(f => f.Frame));
        foreach (var work in batch)
        {
            foreach (var f in work.Frames)
            {
                switch (f.Kind)
                {
                    case FrameKind.Commit:
                        index.Apply(tx, ArchiveCatalogue.DecodeCommit(f.Segment, f.Offset, f.Frame.Length, f.Decoded!), catalogue.Cipher, changes);
                        break;
                    case FrameKind.Dictionary:
                        {
                            // The writer made the dictionary known to readers when it acknowledged the group.
                            var (label, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(f.Frame));
                            index.AddDictionary(tx, Compression.DictionaryIdOf(dict), label, f.Segment, f.Offset, dict.Length);
                            break;
                        }

                    default:
                        ArchiveCatalogue.ApplyCheckpointFrame(index, tx, f.Segment, f.Offset, RecordFrame.Payload(f.Frame));
                        break;
                }
            }
        }

        index.RefreshConversations(tx, changes);
        index.SetPosition(tx, batch[^1].Segment, batch[^1].End);
        tx.Commit();
    }

    /// <summary>Indexes everything handed over so far, then stops the thread.</summary>
    public void Dispose()
    {
        if (catalogue.KeyFiling is { } filing)
        {
            filing.Wake = null;
        }

        queue.CompleteAdding();
        hurry.Set();
        thread.Join();
        FileWaitingKeys(); // the thread is done: what it noted is filed now rather than at the next open
        catalogue.IndexProgress.ReaderWaiting = null;
        queue.Dispose();
        hurry.Dispose();
    }
}
