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
}
