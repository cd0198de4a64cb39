using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>I/O failing mid-commit: the commit fails, the writer stops, and reopening recovers a consistent archive.</summary>
public sealed class FaultInjectionTests
{
    public static TheoryData<string, int> Faults => new()
    {
        { "fail-write", 0 },
        { "tear-write", 0 },
        { "fail-sync", 0 },
        { "fail-write", 1 },
        { "tear-write", 1 },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Commit_WhenIoFails_ThrowsAndReopenKeepsEveryAcknowledgedCommitAndNothingPartial(string fault, int after)
    {
        using var t = new TestArchives(FileSystemKind.FaultInjecting);
        var archive = t.Init(o => o with { ExternalBlobThreshold = 2048 });
        var acked = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var (b, cid, _) = SampleConversations.Create(i);
            archive.Commit(b);
            acked.Add(cid);
        }

        switch (fault)
        {
            case "fail-write": t.Faults!.FailWriteAfter(after); break;
            case "tear-write": t.Faults!.TearWriteAfter(after, 37); break;
            default: t.Faults!.FailSyncAfter(after); break;
        }

        var (batch, failedId, _) = SampleConversations.Create(99);
        batch.AddBlob(new byte[5000]); // an external blob file too, so the fault can land on it
        var e = Assert.Throws<IOException>(() => archive.Commit(batch));
        Assert.Contains("injected fault", e.InnerException?.Message ?? e.Message, StringComparison.Ordinal);
        Assert.Equal(1, t.Faults!.FaultsFired);
        Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(100).Batch)); // poisoned until reopened
        archive.Dispose();
        t.Faults.Disarm();
        t.Memory!.Crash(new Random(after));

        using var reopened = t.Open(o => o with { ExternalBlobThreshold = 2048 });
        Assert.All(acked, id => Assert.NotNull(reopened.GetSummary(id)));
        // Never acknowledged: wholly absent, or (if every byte happened to reach the disk) wholly present.
        if (reopened.GetSummary(failedId) is { } present)
        {
            Assert.Equal(batch.Conversations[0].NodeIds.Count, present.Nodes);
        }
        var report = ArchiveVerifier.Verify(reopened);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        reopened.Commit(SampleConversations.Create(101).Batch);
        Assert.True(reopened.GetStats().Conversations >= 5);
    }

    [Fact]
    public void Commit_WhenTheWriterFailsOutsideItsWrites_FailsThatCommitAndEveryLaterOneInsteadOfWaitingForever()
    {
        using var t = new TestArchives(FileSystemKind.FaultInjecting);
        var (first, id, _) = SampleConversations.Create(1);
        using (var writer = t.Init())
        {
            writer.Commit(first);
        }

        // A new process: nothing of the stored conversation is cached. The same conversation again makes the writer
        // read the stored record back while it prepares the commit (a re-import), and that read fails. Before the
        // writer caught every failure, its thread ended there and this commit (and every later one) never completed.
        var archive = t.Open();
        t.Faults!.FailReadAfter(0);
        var again = archive.CommitAsync(SampleConversations.Create(1).Batch, TestContext.Current.CancellationToken);
        var later = archive.CommitAsync(SampleConversations.Create(2).Batch, TestContext.Current.CancellationToken);
        var failed = Assert.Throws<AggregateException>(() => again.Wait(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)); // the timeout is only the failure mode
        var e = Assert.IsType<IOException>(failed.InnerException);
        Assert.Contains("injected fault: read failed", e.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(1, t.Faults.FaultsFired);
        Assert.Throws<AggregateException>(() => later.Wait(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken));
        Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(3).Batch)); // stopped until reopened
        archive.Dispose();
        t.Faults.Disarm();

        // What was acknowledged is intact, and nothing of the failed commits is there.
        using var reopened = t.Open();
        Assert.NotNull(reopened.GetSummary(id));
        Assert.Null(reopened.GetSummary(SampleConversations.Create(2).ConversationId));
        var report = ArchiveVerifier.Verify(reopened);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        reopened.Commit(SampleConversations.Create(2).Batch);
        Assert.Equal(2, reopened.GetStats().Conversations);
    }
}
