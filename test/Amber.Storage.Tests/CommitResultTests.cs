using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary><see cref="CommitResult.NewConversations"/>: the conversations a commit stored first, decided by the writer.</summary>
public sealed class CommitResultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_ListsOnlyConversationsItStoredFirst(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        var first = archive.Commit(Extend("a", "hello"));
        var both = Extend("a", "hello", "again");
        var b = both.AddConversation(Record("b"));
        b.AddNode(new Node { Role = "user", Content = [new TextBlock("b starts")] });
        var second = archive.Commit(both);
        var repeat = archive.Commit(Extend("a", "hello"));

        Assert.Equal([Record("a").Id], first.NewConversations);
        Assert.Equal([Record("a").Id, Record("b").Id], second.Conversations);
        Assert.Equal([Record("b").Id], second.NewConversations); // "a" grew, it is not new
        Assert.True(repeat.Unchanged);
        Assert.Empty(repeat.NewConversations);
    }

    [Fact]
    public async Task CommitsTheIndexerHasNotReached_CountAsStored_InTheSameGroupAndAfterIt()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        CommitResult first, sameGroup, later;
        using (IndexFaults.HoldWriteLock(t.IndexPath))
        {
            // Queued together, the two usually share a group; either way the second must not call "a" new.
            var a = archive.CommitAsync(Extend("a", "one"), ct);
            var b = archive.CommitAsync(Extend("a", "one", "two"), ct);
            first = await a.WaitAsync(Patience, ct);
            sameGroup = await b.WaitAsync(Patience, ct);
            later = await archive.CommitAsync(Extend("a", "one", "two", "three"), ct).WaitAsync(Patience, ct);
        }

        Assert.Equal([Record("a").Id], first.NewConversations);
        Assert.Empty(sameGroup.NewConversations);
        Assert.Empty(later.NewConversations);
        Assert.False(later.Unchanged);
    }

    [Fact]
    public async Task ARefusedCommit_DoesNotMakeItsConversationOld_ForTheNextInTheGroup()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        var refused = Extend("c", "fine");
        refused.Conversations[0].AddNode(new Node { Parent = "sha256:" + new string('0', 64), Role = "user", Content = [new TextBlock("orphan")] });
        var bad = archive.CommitAsync(refused, ct);
        var good = archive.CommitAsync(Extend("c", "fine"), ct);

        await Assert.ThrowsAsync<ArgumentException>(() => bad.WaitAsync(Patience, ct));
        Assert.Equal([Record("c").Id], (await good.WaitAsync(Patience, ct)).NewConversations);
    }

    private static ConversationRecord Record(string sourceId) => new() { Format = "test", Source = "unit", SourceId = sourceId, Title = sourceId };

    /// <summary>A batch holding conversation <paramref name="sourceId"/> as a chain of user turns.</summary>
    private static CommitBatch Extend(string sourceId, params string[] turns)
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(Record(sourceId));
        string? parent = null;
        foreach (var text in turns)
        {
            parent = part.AddNode(new Node { Parent = parent, Role = "user", Content = [new TextBlock(text)] });
        }

        return batch;
    }
}
