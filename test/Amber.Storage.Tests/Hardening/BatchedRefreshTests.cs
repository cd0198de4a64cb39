using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 21: a conversation's derived columns (counts, instances, tier, models) are recomputed from all of its nodes, so
/// the indexer, which applies several commits in one transaction, refreshes each conversation once at the end instead
/// of once per commit (a gateway conversation growing by a branch a call made that O(size) per call). The rows must
/// come out exactly as one refresh per commit leaves them, which is the rule verify derives.
/// </summary>
public sealed class BatchedRefreshTests
{
    private const int Branches = 20;

    [Fact]
    public async Task BranchesOfOneConversation_RefreshedOncePerTransaction_EndWithTheRowsOfOneRefreshPerCommit()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        var record = new ConversationRecord { Format = "test", Source = "unit", SourceId = "branches", Title = "branches" };
        var first = new CommitBatch("test");
        var root = first.AddConversation(record).AddNode(new Node { Role = "user", Content = [new TextBlock("the shared first turn")] });
        archive.Commit(first);

        // One branch a commit, all queued at once, as concurrent gateway calls are: the writer groups them and the
        // indexer takes the groups together.
        var commits = Enumerable.Range(0, Branches).Select(i =>
        {
            var batch = new CommitBatch("test");
            var part = batch.AddConversation(record);
            var question = part.AddNode(new Node { Parent = root, Role = "user", Content = [new TextBlock($"branch {i}")] });
            part.AddNode(new Node { Parent = question, Role = "assistant", Content = [new TextBlock($"answer {i}")] });
            return archive.CommitAsync(batch, ct);
        }).ToList();
        await Task.WhenAll(commits);
        await archive.EnsureCheckpointAsync();
        archive.WaitForIndexer();

        var perCommit = new ExpectedRows();
        var batched = new ExpectedRows();
        var touched = new HashSet<long>();
        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        foreach (var f in ScannedFramesTests.Read(archive).Where(f => f.Kind == ScannedFrame.Kinds.Frame))
        {
            Assert.True(ScannedFrames.Derive(perCommit, f, new(StringComparer.Ordinal)));
            if (f.Commits is { } prepared)
            {
                foreach (var p in prepared)
                {
                    IndexRowDeriver.Apply(batched, p.Commit!, models, p.ParsedNodes(), refreshLater: touched);
                }
            }
            else
            {
                Assert.True(ScannedFrames.Derive(batched, f, models));
            }
        }

        // Nothing refreshed while the commits were applied: the one conversation waits for the end of the transaction.
        Assert.Single(touched);
        Assert.Empty(batched.Rows(IndexTables.Instances));

        IndexRowDeriver.Refresh(batched, touched);

        using var c = new SqliteConnection($"Data Source={t.IndexPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        foreach (var table in IndexTables.All.Where(x => x != IndexTables.Meta))
        {
            var expected = perCommit.Rows(table).ToList();
            Assert.True(batched.Rows(table).ToHashSet(RowComparer.Instance).SetEquals(expected), $"{table.Name}: one refresh per transaction left other rows than one per commit");
            var live = IndexRowDeriverTests.Rows(c, table);
            Assert.True(live.ToHashSet(RowComparer.Instance).SetEquals(expected), $"{table.Name}: the live index differs from one refresh per commit");
        }

        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT nodes, instances FROM conversations";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(1 + (2 * Branches), r.GetInt64(0));
        Assert.Equal(Branches, r.GetInt64(1));
    }
}
