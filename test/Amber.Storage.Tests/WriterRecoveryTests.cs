using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>
/// A failed writer reopened in place (<see cref="ArchiveOptions.WriterRetryInterval"/>): a long-running host takes
/// commits again once the cause is gone (issue 18's full disk: the gateway refused every capture until restarted).
/// </summary>
public sealed class WriterRecoveryTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Faults => ["fail-write", "tear-write", "fail-sync"];

    [Theory]
    [MemberData(nameof(Faults))]
    public void Commit_AfterAFailedWrite_ReopensTheWriterInPlace_KeepingEveryAcknowledgedCommitAndNothingPartial(string fault)
    {
        using var t = new TestArchives(FileSystemKind.FaultInjecting);
        var archive = t.Init(o => o with { ExternalBlobThreshold = 2048, WriterRetryInterval = Every });
        var acked = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (b, cid, _) = SampleConversations.Create(i);
            archive.Commit(b);
            acked.Add(cid);
        }

        Arm(t.Faults!, fault);
        var (batch, failedId, _) = SampleConversations.Create(99);
        batch.AddBlob(new byte[5000]);
        Assert.Throws<IOException>(() => archive.Commit(batch));
        Assert.NotNull(archive.WriterFailure);
        Assert.False(archive.IsReadOnly);

        // The fault fired once: the cause is gone. The next commit reopens the writer (the torn tail cut) and lands.
        var (after, afterId, _) = SampleConversations.Create(100);
        archive.Commit(after);
        acked.Add(afterId);
        Assert.Null(archive.WriterFailure);
        Assert.True(archive.TryRecoverWriter());

        Assert.All(acked, id => Assert.NotNull(archive.GetSummary(id)));
        if (archive.GetSummary(failedId) is { } present)
        {
            Assert.Equal(batch.Conversations[0].NodeIds.Count, present.Nodes); // never acknowledged: whole or absent
        }

        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        archive.Dispose();

        // The archive the reopened writer left behind opens, verifies and holds the same.
        using var reopened = t.Open();
        Assert.All(acked, id => Assert.NotNull(reopened.GetSummary(id)));
        var again = ArchiveVerifier.Verify(reopened);
        Assert.True(again.Ok, string.Join("\n", again.Faults));
    }

    [Fact]
    public void TryRecoverWriter_IsThrottled_AndReadsGoOnWhileTheWriterIsFailed()
    {
        using var t = new TestArchives(FileSystemKind.FaultInjecting);
        var archive = t.Init(o => o with { WriterRetryInterval = Every });
        var (first, firstId, _) = SampleConversations.Create(1);
        archive.Commit(first);

        t.Faults!.FailWriteAfter(0);
        Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(2).Batch));
        // Still failing: the reopen succeeds (it writes nothing), then this commit's own write fails again.
        t.Faults.FailWriteAfter(0);
        Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(3).Batch));
        Assert.Equal(2, t.Faults.FaultsFired);

        // Within the interval no reopen is tried: the commit is refused at once with the failure.
        Assert.False(archive.TryRecoverWriter());
        var refused = Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(4).Batch));
        Assert.Contains("failed earlier", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, t.Faults.FaultsFired);
        Assert.NotNull(archive.GetSummary(firstId)); // reads are not affected

        t.Clock.Advance(Every);
        Assert.True(archive.TryRecoverWriter());
        var (later, laterId, _) = SampleConversations.Create(5);
        archive.Commit(later);
        Assert.NotNull(archive.GetSummary(laterId));
        Assert.Equal(2, archive.GetStats().Conversations);
        archive.Dispose();
    }

    [Fact]
    public void Commit_AfterAFailedWrite_WithoutARetryInterval_StaysRefusedUntilReopened()
    {
        using var t = new TestArchives(FileSystemKind.FaultInjecting);
        using var archive = t.Init();
        archive.Commit(SampleConversations.Create(1).Batch);
        t.Faults!.FailWriteAfter(0);
        Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(2).Batch));
        t.Clock.Advance(TimeSpan.FromHours(1));
        Assert.False(archive.TryRecoverWriter());
        Assert.Throws<IOException>(() => archive.Commit(SampleConversations.Create(3).Batch));
        Assert.Null(archive.WriterRetryInterval);
    }

    private static void Arm(FaultInjectingFileSystem faults, string fault)
    {
        switch (fault)
        {
            case "fail-write": faults.FailWriteAfter(0); break;
            case "tear-write": faults.TearWriteAfter(0, 37); break;
            default: faults.FailSyncAfter(0); break;
        }
    }
}
