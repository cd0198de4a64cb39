using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>
/// The indexer runs behind the writer. While it is held up (here: another connection holds the index's write lock),
/// commits are still acknowledged, the writer still validates against them, and a recorder's lookups still see them.
/// </summary>
public sealed class IndexerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WhileTheIndexerIsHeldUp_CommitsAreAcknowledged_AndTheRecorderLookupsSeeThem()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        archive.Commit(SampleConversations.Create(1).Batch); // indexed: the baseline the lookups also read

        CommitResult first, second;
        string rootId, answerId, childId, conversationId;
        using (IndexFaults.HoldWriteLock(t.IndexPath))
        {
            // A conversation whose answer carries a key, committed while the index cannot be written.
            var batch = new CommitBatch("test");
            var record = new ConversationRecord { Format = "test", Source = "unit", SourceId = "held-1", Title = "held" };
            var part = batch.AddConversation(record);
            conversationId = part.Id;
            rootId = part.AddNode(new Node { Role = "user", Content = [new TextBlock("a question asked while the index was busy")] });
            answerId = part.AddNode(new Node
            {
                Parent = rootId,
                Role = "assistant",
                Content = [new TextBlock("an answer")],
                Meta = new JsonObject { ["keys"] = new JsonArray("answer-key-1") },
            });
            first = await archive.CommitAsync(batch, ct).WaitAsync(Patience, ct);

            // The lookups a recorder makes before its next commit: none of them may wait for the indexer.
            var lookups = Task.Run(
                () => (archive.FindNodeByKey("answer-key-1"), archive.GetNode(answerId), archive.GetConversationRecord(conversationId), archive.ConversationsOf(rootId)),
                ct);
            var (byKey, node, stored, conversations) = await lookups.WaitAsync(Patience, ct);
            Assert.Equal(answerId, byKey);
            Assert.Equal("an answer", Assert.IsType<TextBlock>(Assert.Single(node!.Content)).Text);
            Assert.Equal("held", stored!.Title);
            Assert.Equal([conversationId], conversations);
            Assert.Null(archive.FindNodeByKey("no-such-key"));

            // The writer validates the next commit against the unindexed one: its parent is only there.
            var next = new CommitBatch("test");
            var nextPart = next.AddConversation(record);
            childId = nextPart.AddNode(new Node { Parent = answerId, Role = "user", Content = [new TextBlock("a follow-up")] });
            second = await archive.CommitAsync(next, ct).WaitAsync(Patience, ct);
            Assert.Equal(1, second.NewNodes);
            Assert.Equal([conversationId], await Task.Run(() => archive.ConversationsOf(childId), ct).WaitAsync(Patience, ct));

            // An orphan is still refused: the unindexed commits do not make up parents.
            var orphan = new CommitBatch("test");
            orphan.AddConversation(record).AddNode(new Node { Parent = "sha256:" + new string('0', 64), Role = "user", Content = [new TextBlock("x")] });
            await Assert.ThrowsAsync<ArgumentException>(() => archive.CommitAsync(orphan, ct).WaitAsync(Patience, ct));
        }

        // Released: the indexer catches up, and every reader sees the same archive.
        var conversation = archive.GetConversation(conversationId)!;
        Assert.Equal(3, conversation.Summary.Nodes);
        Assert.Equal(answerId, archive.FindNodeByKey("answer-key-1"));
        Assert.Equal(first.Sequence + 1, second.Sequence);
        Assert.Equal(second.Sequence, archive.GetLastSequence());
        Assert.True(Amber.Storage.Verification.ArchiveVerifier.Verify(archive).Ok);
    }

    [Fact]
    public async Task RepeatingACommitTheIndexerHasNotReached_StoresNothingTheSecondTime()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        Task<CommitResult> again;
        using (IndexFaults.HoldWriteLock(t.IndexPath))
        {
            var stored = await archive.CommitAsync(SampleConversations.Create(7).Batch, ct).WaitAsync(Patience, ct);
            Assert.False(stored.Unchanged);
            again = archive.CommitAsync(SampleConversations.Create(7).Batch, ct); // must compare against the index, so it waits for it
        }

        var repeat = await again.WaitAsync(Patience, ct);
        Assert.True(repeat.Unchanged);
        Assert.Equal(1, archive.GetLastSequence());
    }

    [Fact]
    public async Task AnIndexFailure_StopsFurtherCommits_AndReopeningCatchesTheIndexUp()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var ct = TestContext.Current.CancellationToken;
        var (batch, conversationId, _) = SampleConversations.Create(3);
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var archive = t.Init(o => o with
        {
            Log = m =>
            {
                if (m.Contains("injected", StringComparison.Ordinal))
                {
                    reported.TrySetResult();
                }
            },
        }))
        {
            archive.Commit(SampleConversations.Create(2).Batch);
            archive.WaitForIndexer(); // the first commit is indexed before the fault is injected: only the second one meets it
            IndexFaults.FailCommits(t.IndexPath);

            Assert.Equal(2, (await archive.CommitAsync(batch, ct).WaitAsync(Patience, ct)).Sequence); // durable, then the index update fails
            var refused = await Record.ExceptionAsync(async () =>
            {
                // The failure is noticed by the writer at the latest with the next group.
                for (var i = 0; i < 50; i++)
                {
                    await archive.CommitAsync(SampleConversations.Create(100 + i).Batch, ct).WaitAsync(Patience, ct);
                    await Task.Delay(20, ct);
                }
            });
            Assert.IsType<IOException>(refused);
            await reported.Task.WaitAsync(Patience, ct); // the failure is reported (the writer may refuse before the report is written)
        }

        IndexFaults.StopFailingCommits(t.IndexPath);

        SqliteConnection.ClearAllPools();
        await using var reopened = t.Open();
        Assert.NotNull(reopened.GetConversation(conversationId));
        Assert.True(Amber.Storage.Verification.ArchiveVerifier.Verify(reopened).Ok);
    }

    /// <summary>
    /// The writer waits for room (back-pressure) while 2,048 commits are unindexed; an indexer that then fails must
    /// release it, so queued commits fail instead of hanging (and Dispose returns).
    /// </summary>
    [Fact]
    public async Task IndexFailure_WhileTheWriterWaitsInBackPressure_FailsQueuedCommitsInsteadOfHanging()
    {
        var t = new TestArchives(FileSystemKind.InMemory); // not disposed if the writer hangs: Dispose would hang too
        var archive = t.Init(o => o with { Log = _ => { } });
        var ct = TestContext.Current.CancellationToken;
        archive.Commit(SampleConversations.Create(0, turns: 1, branches: 1, withAttachment: false).Batch);
        archive.GetLastSequence(); // indexed

        var held = IndexFaults.HoldWriteLock(t.IndexPath);
        var acked = Enumerable.Range(1, 2048)
            .Select(i => archive.CommitAsync(SampleConversations.Create(i, turns: 1, branches: 1, withAttachment: false).Batch, ct))
            .ToArray();
        await Task.WhenAll(acked).WaitAsync(TimeSpan.FromSeconds(60), ct); // acknowledged without the index
        var blocked = archive.CommitAsync(SampleConversations.Create(5000, turns: 1, branches: 1, withAttachment: false).Batch, ct);
        await Task.Delay(300, ct);
        Assert.False(blocked.IsCompleted); // back-pressure: the writer waits for the indexer

        // The index update now fails (as any SQLite error would).
        using (var cmd = held.CreateCommand())
        {
            cmd.CommandText = IndexFaults.FailCommitsSql + " COMMIT;";
            cmd.ExecuteNonQuery();
        }

        held.Dispose();
        var first = await Task.WhenAny(blocked, Task.Delay(Patience, ct));
        Assert.True(first == blocked, "the writer still waits in back-pressure for an indexer that has failed");
        await Assert.ThrowsAsync<IOException>(() => blocked);
        archive.Dispose();
        t.Dispose();
    }

    /// <summary>
    /// A checkpoint-only group (EnsureCheckpointAsync, or the timer) does not move IndexProgress, yet the indexer still
    /// has it to index: a rebuild must wait for it rather than replace the index under the indexer.
    /// </summary>
    [Fact]
    public async Task RebuildIndex_WhileTheIndexerIndexesACheckpointOnlyGroup_WaitsForIt_AndLeavesTheWriterWorking()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var logged = new List<string>();
        await using var archive = t.Init(o => o with { Log = m => { lock (logged) { logged.Add(m); } } });
        var ct = TestContext.Current.CancellationToken;
        archive.Commit(SampleConversations.Create(1).Batch); // the first group also signs a checkpoint
        archive.Commit(SampleConversations.Create(2).Batch); // no checkpoint (the clock stands still)
        archive.GetLastSequence(); // indexed

        Task<RecoveryReport> rebuild;
        using (IndexFaults.HoldWriteLock(t.IndexPath))
        {
            await archive.EnsureCheckpointAsync().WaitAsync(Patience, ct); // acknowledged; the indexer now waits for the lock
            rebuild = Task.Run(() => archive.RebuildIndex(), ct);
            var first = await Task.WhenAny(rebuild, Task.Delay(1500, ct));
            Assert.True(first != rebuild, "RebuildIndex did not wait for the indexer, which still had a checkpoint frame to index");
        }

        await rebuild.WaitAsync(TimeSpan.FromSeconds(40), ct);
        await Task.Delay(500, ct);
        lock (logged)
        {
            Assert.DoesNotContain(logged, m => m.StartsWith("index update failed", StringComparison.Ordinal));
        }

        Assert.Equal(3, (await archive.CommitAsync(SampleConversations.Create(3).Batch, ct).WaitAsync(Patience, ct)).Sequence);
    }

    /// <summary>
    /// The indexer is a thread of its own: a log callback that throws while it reports an index failure must not
    /// escape it (an unhandled exception there would end the process, test host included).
    /// </summary>
    [Fact]
    public async Task IndexFailure_WithALogCallbackThatThrows_DoesNotKillTheProcess()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        var ct = TestContext.Current.CancellationToken;
        await using var archive = t.Init(o => o with { Log = m => throw new InvalidOperationException("logger is gone: " + m) });
        archive.Commit(SampleConversations.Create(1).Batch);
        archive.GetLastSequence();
        IndexFaults.FailCommits(t.IndexPath);

        archive.Commit(SampleConversations.Create(2).Batch); // acknowledged; the index update then fails and logs

        // Once the indexer has failed (and its throwing logger with it), commits are refused; until then they may
        // still be acknowledged, so try until one is refused rather than guess how long the failure takes.
        var deadline = DateTime.UtcNow + Patience;
        IOException? refused = null;
        for (var i = 3; refused is null && DateTime.UtcNow < deadline; i++)
        {
            try
            {
                await archive.CommitAsync(SampleConversations.Create(i).Batch, ct);
                await Task.Delay(100, ct);
            }
            catch (IOException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
    }
}
