using Amber.Storage.Index;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>The writer acknowledges a group before it indexes it: what that must not break.</summary>
public sealed class AcknowledgeThenIndexTests
{
    [Fact]
    public async Task IndexFailure_LogCallbackThatReadsTheArchive_DoesNotHangTheWriter()
    {
        var t = new TestArchives(FileSystemKind.InMemory); // not disposed if the writer hangs: Dispose would hang too
        Archive? archive = null;
        var logged = new List<string>();
        var readInCallback = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        archive = t.Init(o => o with
        {
            Log = m =>
            {
                lock (logged)
                {
                    logged.Add(m);
                }

                if (m.StartsWith("index update failed", StringComparison.Ordinal))
                {
                    readInCallback.TrySetResult(archive!.GetLastSequence()); // runs on the indexer's thread
                }
            },
        });
        archive.Commit(SampleConversations.Create(1).Batch);
        Assert.Single(archive.ListConversations()); // the index holds commit 1 before the fault is armed (a busy machine's indexer may lag)
        IndexFaults.FailCommits(t.IndexPath);

        Assert.Equal(2, archive.Commit(SampleConversations.Create(2).Batch).Sequence); // acknowledged; then the index update fails
        var ct = TestContext.Current.CancellationToken;
        var read = Task.Run(() => archive.GetLastSequence(), ct);
        await Task.WhenAny(Task.WhenAll(read, readInCallback.Task), Task.Delay(TimeSpan.FromSeconds(30), ct));
        Assert.True(read.IsCompleted, "a read after the failed index update waited for ever");
        Assert.True(readInCallback.Task.IsCompleted, "a read from the log callback, on the indexer's own thread, waited for that thread");
        lock (logged)
        {
            Assert.Contains(logged, m => m.Contains("injected", StringComparison.Ordinal));
        }

        archive.Dispose();
        t.Dispose();
    }

    [Fact]
    public void WalCheckpointer_CheckpointsAfterCommits_AndLeavesAnIdleIndexAlone()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        var db = new FileInfo(t.IndexPath);
        var before = db.Length;
        for (var i = 0; i < 20; i++)
        {
            archive.Commit(SampleConversations.Create(i, turns: 6, branches: 3, withAttachment: false).Batch);
        }

        // The commits reach index.db by a checkpoint, without the archive being closed.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (db.Length <= before && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
            db.Refresh();
        }

        Assert.True(db.Length > before, $"index.db stayed at {before} bytes: the WAL was never checkpointed");

        // With no commit, a checkpoint runs at most once more (for what was still arriving), then never again.
        archive.GetLastSequence(); // indexed
        var settled = WaitUntilSettled(() => archive.Index.WalCheckpoints);
        db.Refresh();
        var written = db.LastWriteTimeUtc;
        Thread.Sleep(500);
        db.Refresh();
        Assert.Equal(settled, archive.Index.WalCheckpoints);
        Assert.Equal(written, db.LastWriteTimeUtc);

        archive.Commit(SampleConversations.Create(99, turns: 1, branches: 1, withAttachment: false).Batch);
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (archive.Index.WalCheckpoints == settled && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.True(archive.Index.WalCheckpoints > settled, "a commit after an idle spell was never checkpointed");
    }

    /// <summary>
    /// Waits until a count has stopped moving for a second (a checkpoint still arriving from the last commits may land
    /// late on a loaded machine), then returns it; fails after 30 s of movement.
    /// </summary>
    private static long WaitUntilSettled(Func<long> count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var last = count();
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(1))
        {
            Assert.True(DateTime.UtcNow < deadline, "the WAL checkpoints never settled with no commit arriving");
            Thread.Sleep(50);
            var now = count();
            if (now != last)
            {
                last = now;
                stableSince = DateTime.UtcNow;
            }
        }

        return last;
    }

    [Fact]
    public async Task Indexer_UnderACommitFlood_KeepsTheIndexWalBounded()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        const long limit = 1 << 20;
        await using var archive = t.Init(o => o with { IndexWalSizeLimit = limit });
        var wal = new FileInfo(t.IndexPath + "-wal");
        long largest = 0;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    wal.Refresh();
                    largest = Math.Max(largest, wal.Exists ? wal.Length : 0);
                    await Task.Delay(5, CancellationToken.None);
                }
            },
            CancellationToken.None);

        // Many commits in flight keep the indexer committing back to back, as a bulk import does. A passive checkpoint
        // alone then never finds the WAL fully copied when a transaction begins, and the WAL never starts over.
        var commits = Enumerable.Range(0, 3000).Select(i => archive.CommitAsync(SampleConversations.Create(i, turns: 3, branches: 2, withAttachment: false).Batch, TestContext.Current.CancellationToken));
        await Task.WhenAll(commits);
        archive.GetLastSequence(); // indexed
        await stop.CancelAsync();
        await watch;

        // One index transaction (up to 512 commits when the indexer is behind) lands whole before the indexer empties the
        // WAL: here about 27 MiB at most. Without the truncation this run reaches about 115 MiB.
        Assert.True(largest < 48 * limit, $"the index's -wal file reached {largest} bytes with a limit of {limit}");
    }
}
