using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>
/// The index lags the acknowledged commits. The writing process waits for it only to see its own commits
/// (read-your-writes); a read-only process reports the lag and reads the index as it is. The index is held up here by
/// another connection holding its write lock.
/// </summary>
public sealed class IndexLagTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WritingProcess_ReportsTheLagWithoutWaiting_AndItsNextSearchSeesItsCommit()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        archive.Commit(Said("first", "an ordinary message"));
        Assert.Equal(1, archive.GetLastSequence()); // waits: the index now holds commit 1

        Task<IReadOnlyList<Amber.Storage.Reading.SearchHit>> search;
        CommitResult second;
        using (IndexFaults.HoldWriteLock(t.IndexPath))
        {
            second = await archive.CommitAsync(Said("second", "a quokka appeared"), ct).WaitAsync(Patience, ct);
            var lag = await Task.Run(archive.GetIndexLag, ct).WaitAsync(Patience, ct);
            Assert.Equal((2L, 1L, 1L), (lag.AcknowledgedSequence, lag.IndexedSequence, lag.Commits));
            Assert.True(lag.Bytes >= second.StoredBytes, $"{lag.Bytes} bytes behind, but the commit alone is {second.StoredBytes}");
            Assert.False(lag.CaughtUp);
            search = Task.Run(() => archive.Search("quokka"), ct); // started after the acknowledgement: must see it
        }

        var hits = await search.WaitAsync(Patience, ct);
        Assert.Equal(Said("second", "").Conversations[0].Id, Assert.Single(hits).Conversation);
        var stats = archive.GetStats();
        Assert.Equal(2, stats.Commits);
        Assert.True(stats.IndexLag.CaughtUp);
        Assert.Equal((2L, 2L, 0L), (stats.IndexLag.AcknowledgedSequence, stats.IndexLag.IndexedSequence, stats.IndexLag.Bytes));
    }

    [Fact]
    public async Task ReadOnlyProcess_ReportsTheLag_InsteadOfWaitingForAnotherProcessesIndexer()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var writer = t.Init();
        var ct = TestContext.Current.CancellationToken;
        writer.Commit(Said("first", "an ordinary message"));
        Assert.Equal(1, writer.GetLastSequence());
        using var reader = t.Open(o => o with { ReadOnly = true });
        Assert.True(reader.IsReadOnly);
        Assert.Equal((1L, 1L, true), (reader.GetIndexLag().AcknowledgedSequence, reader.GetIndexLag().IndexedSequence, reader.GetIndexLag().CaughtUp));

        using (IndexFaults.HoldWriteLock(t.IndexPath))
        {
            var second = await writer.CommitAsync(Said("second", "a quokka appeared"), ct).WaitAsync(Patience, ct);

            // None of these may wait for the writer's indexer, which cannot move until the lock is released.
            var lag = await Task.Run(reader.GetIndexLag, ct).WaitAsync(Patience, ct);
            var hits = await Task.Run(() => reader.Search("quokka"), ct).WaitAsync(Patience, ct);
            var stats = await Task.Run(reader.GetStats, ct).WaitAsync(Patience, ct);

            Assert.Equal((2L, 1L, 1L), (lag.AcknowledgedSequence, lag.IndexedSequence, lag.Commits));
            Assert.True(lag.Bytes >= second.StoredBytes, $"{lag.Bytes} bytes behind, but the commit alone is {second.StoredBytes}");
            Assert.Empty(hits);
            Assert.Equal(1, stats.Commits);
            Assert.Equal(1, stats.IndexLag.Commits);
        }

        Assert.Equal(2, writer.GetLastSequence()); // the writer's own read waits for its indexer
        Assert.True(reader.GetIndexLag().CaughtUp);
        Assert.Equal(2, reader.GetIndexLag().IndexedSequence);
        Assert.Single(reader.Search("quokka"));
    }

    /// <summary>A one-message conversation <paramref name="sourceId"/>.</summary>
    private static CommitBatch Said(string sourceId, string text)
    {
        var batch = new CommitBatch("test");
        batch.AddConversation(new ConversationRecord { Format = "test", Source = "unit", SourceId = sourceId, Title = sourceId })
            .AddNode(new Node { Role = "user", Content = [new TextBlock(text)] });
        return batch;
    }
}
