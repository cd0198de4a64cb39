using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>
/// The indexer answers its lookups of rows the same transaction wrote from memory (<see cref="TransactionKeys"/>), and
/// only for that transaction.
/// </summary>
public sealed class TransactionKeysTests
{
    [Fact]
    public async Task IndexingAChainOfNewNodes_AsksSqliteOnlyWhetherEachNodeIsStored()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        archive.Commit(SampleConversations.Create(1).Batch);
        archive.WaitForIndexer();

        const int Count = 40;
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "unit", SourceId = "chain", Title = "chain" });
        string? parent = null;
        for (var i = 0; i < Count; i++)
        {
            parent = part.AddNode(new Node { Parent = parent, Role = i % 2 == 0 ? "user" : "assistant", Content = [new TextBlock($"turn {i} of the chain")] });
        }

        part.AddRaw("{\"chain\":true}"u8.ToArray());
        var before = archive.Index.KeyQueries;
        await archive.CommitAsync(batch, ct);
        archive.WaitForIndexer();

        // One probe per new node (is it stored already?); its parent, the membership rows, the raw blob and the
        // conversation are rows this transaction wrote. Reading them from SQLite again took three probes a node.
        var asked = archive.Index.KeyQueries - before;
        Assert.InRange(asked, Count, Count + 2);
        var conversation = archive.GetConversation(part.Id)!;
        Assert.Equal(Count, conversation.Summary.Nodes);
        Assert.NotNull(archive.GetNode(parent!));
        Assert.True(Amber.Storage.Verification.ArchiveVerifier.Verify(archive).Ok);
    }

    [Fact]
    public void KeysSeenInOneTransaction_AreForgottenInTheNext()
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        var keys = new TransactionKeys();
        byte[] id = [1, 2, 3, 4];
        using (var first = c.BeginTransaction())
        {
            keys.Use(first);
            keys.Add(IndexTables.Nodes, id, 7);
            Assert.True(keys.TryGet(IndexTables.Nodes, [1, 2, 3, 4], out var key));
            Assert.Equal(7, key);
            Assert.False(keys.TryGet(IndexTables.Blobs, id, out _));
            first.Rollback();
        }

        using var second = c.BeginTransaction();
        keys.Use(second);
        Assert.False(keys.TryGet(IndexTables.Nodes, id, out _)); // a rolled-back row's key must not be reused
    }

    [Fact]
    public void AFullTable_StartsOver_InsteadOfGrowingWithoutBound()
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        using var tx = c.BeginTransaction();
        var keys = new TransactionKeys();
        keys.Use(tx);
        for (var i = 0; i <= TransactionKeys.MaxPerTable; i++)
        {
            keys.Add(IndexTables.Nodes, BitConverter.GetBytes(i), i);
        }

        Assert.False(keys.TryGet(IndexTables.Nodes, BitConverter.GetBytes(0), out _));
        Assert.True(keys.TryGet(IndexTables.Nodes, BitConverter.GetBytes(TransactionKeys.MaxPerTable), out var last));
        Assert.Equal(TransactionKeys.MaxPerTable, last);
    }
}
