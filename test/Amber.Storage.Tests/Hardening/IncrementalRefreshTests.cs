using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 21: the indexer brings a conversation's summary (counts, instances, tier, models, raw bytes) up to date from
/// what its transaction added (<see cref="ArchiveIndex.RefreshConversations(SqliteTransaction, ConversationChanges)"/>),
/// not by reading the whole conversation again. Its rows must be exactly those of one full refresh per commit (the rule
/// verify derives), through branches, regenerations, leaves that stop being leaves, tiers that fall when the instance
/// that held them goes, new models, raw blobs, and a node already in the archive joining a conversation (which may be
/// the parent of a member, so it takes the full refresh).
/// </summary>
public sealed class IncrementalRefreshTests
{
    private static readonly ConversationRecord Record = new() { Format = "test", Source = "unit", SourceId = "grow", Title = "grow" };
    private static readonly ConversationRecord Other = new() { Format = "test", Source = "unit", SourceId = "other", Title = "other" };

    [Fact]
    public async Task AConversationGrownOverManyTransactions_EndsWithTheRowsOfOneFullRefreshPerCommit()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;

        // 1. A new conversation: a user turn and an exact (T2) answer, with its raw source.
        var b = new CommitBatch("test");
        var part = b.AddConversation(Record);
        var root = part.AddNode(new Node { Role = "user", Content = [new TextBlock("the first turn")] });
        var exact = part.AddNode(Answer(b, root, "exact answer", Tier.T2));
        part.AddRaw("{\"turn\":1}"u8.ToArray());
        Commit(archive, b);
        var fullAfterNew = archive.Index.SummaryFullRefreshes;

        // 2. The T2 leaf gets a T1 child: the only instance (tier 2) goes, the new one is tier 1, so the tier falls.
        b = new CommitBatch("test");
        part = b.AddConversation(Record);
        var q2 = part.AddNode(new Node { Parent = exact, Role = "user", Content = [new TextBlock("go on")] });
        var t1 = part.AddNode(Answer(b, q2, "exact with its state", Tier.T1));
        part.AddRaw("{\"turn\":2}"u8.ToArray());
        Commit(archive, b);

        // 3. A regeneration (a sibling below an inner node) with a new model, and a branch below the new leaf.
        b = new CommitBatch("test");
        part = b.AddConversation(Record);
        part.AddNode(Answer(b, q2, "a guess", Tier.T4));
        var q3 = part.AddNode(new Node { Parent = t1, Role = "user", Content = [new TextBlock("and then?")] });
        part.AddNode(Answer(b, q3, "a reasoned answer", Tier.T3));
        Commit(archive, b);

        // 4. Branches below the first turn, all queued at once (the indexer takes them in few transactions).
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
        {
            var batch = new CommitBatch("test");
            var p = batch.AddConversation(Record);
            var q = p.AddNode(new Node { Parent = root, Role = "user", Content = [new TextBlock($"branch {i}")] });
            p.AddNode(Answer(batch, q, $"answer {i}", (Tier)(1 + (i % 4))));
            p.AddRaw(Encoding.UTF8.GetBytes($"{{\"branch\":{i}}}"));
            return archive.CommitAsync(batch, ct);
        }));
        archive.WaitForIndexer();
        Assert.Equal(fullAfterNew, archive.Index.SummaryFullRefreshes); // grown without reading it all again

        // 5. Another conversation takes a member of this one as its parent's stand-in: its node's parent is not its member.
        b = new CommitBatch("test");
        var other = b.AddConversation(Other);
        var lone = other.AddNode(new Node { Parent = q3, Role = "user", Content = [new TextBlock("a turn below someone else's")] });
        Commit(archive, b);

        // 6. That parent, already indexed, joins the other conversation: the lone member's instance now reaches further.
        b = new CommitBatch("test");
        other = b.AddConversation(Other);
        other.AddNode(new Node { Parent = t1, Role = "user", Content = [new TextBlock("and then?")] });
        other.AddNode(Answer(b, lone, "an answer below", Tier.T3));
        Commit(archive, b);
        await archive.EnsureCheckpointAsync();
        archive.WaitForIndexer();

        var perCommit = new ExpectedRows();
        foreach (var f in ScannedFramesTests.Read(archive).Where(f => f.Kind == ScannedFrame.Kinds.Frame))
        {
            Assert.True(ScannedFrames.Derive(perCommit, f, new(StringComparer.Ordinal)));
        }

        using var c = new SqliteConnection($"Data Source={t.IndexPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        foreach (var table in IndexTables.All.Where(x => x != IndexTables.Meta))
        {
            var live = IndexRowDeriverTests.Rows(c, table);
            Assert.True(live.ToHashSet(RowComparer.Instance).SetEquals(perCommit.Rows(table)), $"{table.Name}: the live index differs from one full refresh per commit");
        }

        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT nodes, instances, tier, models FROM conversations ORDER BY k";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(2 + 2 + 3 + 24, r.GetInt64(0));
        Assert.Equal(2 + 12, r.GetInt64(1)); // the regeneration, the branch below the T1 answer, and the 12 branches
        Assert.Equal(4, r.GetInt64(2));
        Assert.Equal(4, JsonNode.Parse(r.GetString(3))!.AsArray().Count);
        Assert.True(r.Read());
        Assert.Equal(3, r.GetInt64(0));
    }

    private static void Commit(Archive archive, CommitBatch batch)
    {
        archive.Commit(batch);
        archive.WaitForIndexer(); // each step its own index transaction
    }

    /// <summary>A generated answer graded <paramref name="tier"/>, by a model of its own per tier.</summary>
    private static Node Answer(CommitBatch batch, string parent, string text, Tier tier)
    {
        var exact = tier <= Tier.T2;
        var model = batch.AddModel(new ModelReference
        {
            Provider = "test",
            Requested = $"model-{tier}",
            Resolved = tier == Tier.T4 ? null : $"model-{tier}-resolved",
            WeightsSha256 = exact ? new string('a', 64) : null,
            TokenizerSha256 = exact ? new string('b', 64) : null,
            EngineName = exact ? "engine" : null,
            EngineVersion = exact ? "1" : null,
            EngineBuild = exact ? "b1" : null,
        });
        return new Node
        {
            Parent = parent,
            Role = "assistant",
            Content = [new TextBlock(text)],
            Generation = new GenerationRecord
            {
                Model = model,
                Parameters = new JsonObject { ["temperature"] = 0 },
                Seed = exact ? 7 : null,
                PromptTokenIds = exact ? [1, 2, 3] : null,
                OutputTokenIds = exact ? [4, 5] : null,
                State = tier == Tier.T1 ? batch.AddBlob(Encoding.UTF8.GetBytes("state of " + text)) : null,
            },
        };
    }
}
