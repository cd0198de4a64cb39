using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 20, item 1: nothing that goes into a signature comes from the index unchecked. An edit of
/// <c>commits.leaf_hash</c> used to be loaded into the Merkle tree, so the next checkpoint was signed over a wrong root
/// and the log stayed broken even after <c>amber index rebuild</c>.
/// </summary>
public sealed class LogIntegrityTests
{
    /// <param name="checkpoint">Whether the last commits are checkpointed; otherwise only commit 1 is (the clock stands still).</param>
    [Theory]
    [InlineData("a leaf the signed checkpoint covers", 6, true, "UPDATE commits SET leaf_hash = zeroblob(32) WHERE seq = 5")]
    [InlineData("a leaf after the latest checkpoint", 5, false, "UPDATE commits SET leaf_hash = zeroblob(32) WHERE seq = 4")]
    [InlineData("the checkpoint rows deleted and a leaf edited", 4, true, "DELETE FROM checkpoints; UPDATE commits SET leaf_hash = zeroblob(32) WHERE seq = 2")]
    [InlineData("a commit row deleted (its seq must not be reused)", 4, true, "DELETE FROM commits WHERE seq = 4")]
    public async Task Item01_Open_IndexEditedUnderTheLog_RebuildsTheIndex_AndTheNextCheckpointExtendsTheSignedLog(string edit, int commits, bool checkpoint, string sql)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await CommitAsync(t, commits, checkpoint);

        IndexFaults.Exec(t.IndexPath, sql);
        await using (var archive = t.Open())
        {
            Assert.True(archive.Recovery.IndexRebuilt, edit);
            Assert.Contains(archive.Recovery.Actions, a => a.Contains("disagrees with the signed log", StringComparison.Ordinal));
            Assert.Equal(commits, archive.Log.Size);
            archive.Commit(SampleConversations.Create(100).Batch);
            await archive.EnsureCheckpointAsync();
        }

        // Without the check, the checkpoint signed here covered a wrong root, and verify failed for good.
        await using var again = t.Open();
        var report = ArchiveVerifier.Verify(again);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Equal(commits + 1, report.Commits);
    }

    [Fact]
    public async Task Item01_ReadOnlyOpen_LeafEdited_ServesNoReceipt_AndSaysWhy()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var leaf = SampleConversations.Create(2).Leaves[0];
        await CommitAsync(t, commits: 4, checkpoint: true);

        IndexFaults.Exec(t.IndexPath, "UPDATE commits SET leaf_hash = zeroblob(32) WHERE seq = 3");
        await using var reader = t.Open(o => o with { ReadOnly = true });
        Assert.NotNull(reader.Log.Problem);
        var e = Assert.Throws<CorruptArchiveException>(() => reader.GetReceipt(leaf));
        Assert.Contains("cannot be trusted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item01_ReadOnlyOpen_IndexBehindTheSegments_IsNotAFault()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await CommitAsync(t, commits: 3, checkpoint: true);
        await using var writer = t.Open();
        writer.Commit(SampleConversations.Create(50).Batch);
        writer.WaitForIndexer();
        IndexFaults.Exec(t.IndexPath, "DELETE FROM commits WHERE seq = 4; DELETE FROM checkpoints WHERE size = 4");

        // What a reader sees while another process's indexer is one commit behind: a prefix of the log.
        await using var reader = t.Open(o => o with { ReadOnly = true });
        Assert.Null(reader.Log.Problem);
        Assert.Equal(4, reader.Log.Size);
    }

    private static async Task CommitAsync(TestArchives t, int commits, bool checkpoint)
    {
        await using var archive = t.Init();
        for (var i = 0; i < commits; i++)
        {
            archive.Commit(SampleConversations.Create(i).Batch);
        }

        if (checkpoint)
        {
            await archive.EnsureCheckpointAsync();
        }
    }
}
