using Amber.Core.Model;
using Amber.Core.Time;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>
/// A conversation's <c>updated</c>: the record's own (the source's update time) when it states one, else the commit's
/// time (gateway captures), never moved back by a later commit of an older copy; a rebuild from the segments agrees.
/// </summary>
public sealed class ConversationUpdatedTests
{
    [Fact]
    public void Updated_SourceTimeWhenStated_CommitTimeOtherwise_NeverBackwards_SameAfterRebuild()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();

        // A capture: its record states no update time, so `updated` is the commit's time.
        var captured = Commit(archive, "captured", updated: null);
        Assert.Equal(t.Clock.GetUtcNow(), Timestamps.Parse(archive.GetSummary(captured)!.Updated));

        // An import stating its source's update time shows that time, not the import's.
        t.Clock.Advance(TimeSpan.FromHours(1));
        var imported = Commit(archive, "imported", updated: "2025-03-04T05:06:07.5Z");
        Assert.Equal("2025-03-04T05:06:07.5000000Z", archive.GetSummary(imported)!.Updated);

        // A newer copy moves it forward; a later commit of an older copy does not move it back.
        t.Clock.Advance(TimeSpan.FromHours(1));
        Commit(archive, "imported", updated: "2025-04-01T00:00:00Z");
        Assert.Equal("2025-04-01T00:00:00.0000000Z", archive.GetSummary(imported)!.Updated);
        t.Clock.Advance(TimeSpan.FromHours(1));
        Commit(archive, "imported", updated: "2025-01-01T00:00:00Z");
        Assert.Equal("2025-04-01T00:00:00.0000000Z", archive.GetSummary(imported)!.Updated);

        // A later capture into the first conversation moves it to that commit's time.
        t.Clock.Advance(TimeSpan.FromHours(1));
        Commit(archive, "captured", updated: null, text: "later turn");
        Assert.Equal(t.Clock.GetUtcNow(), Timestamps.Parse(archive.GetSummary(captured)!.Updated));

        var before = new[] { archive.GetSummary(captured)!.Updated, archive.GetSummary(imported)!.Updated };
        archive.RebuildIndex();
        Assert.Equal(before, new[] { archive.GetSummary(captured)!.Updated, archive.GetSummary(imported)!.Updated });
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
    }

    private static string Commit(Archive archive, string sourceId, string? updated, string text = "hello")
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord
        {
            Format = "test",
            Source = "synthetic",
            SourceId = sourceId,
            Created = "2024-01-01T00:00:00Z",
            Updated = updated,
        });
        part.AddNode(new Node { Role = "user", Content = [new TextBlock(text)] });
        archive.Commit(batch);
        return part.Id;
    }
}
