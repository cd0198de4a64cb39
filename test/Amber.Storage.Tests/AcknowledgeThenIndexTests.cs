using Amber.Storage.Index;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>The writer acknowledges a group before it indexes it: what that must not break.</summary>
public sealed class AcknowledgeThenIndexTests
{
    [Fact]
    public async Task IndexFailure_LogCallbackThatReadsTheArchive_DoesNotHangTheWriter()
    {
        var t = new TestArchives(FileSystemKind.InMemory); // not disposed if the writer hangs: Dispose would hang too
        Archive? archive = null;
        var logged = new List<string>();
        archive = t.Init(o => o with
        {
            Log = m =>
            {
                logged.Add(m);
                if (m.StartsWith("index update failed", StringComparison.Ordinal))
                {
                    archive!.GetLastSequence(); // runs on the writer's thread
                }
            },
        });
        archive.Commit(SampleConversations.Create(1).Batch);
        using (var c = new SqliteConnection($"Data Source={t.IndexPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TRIGGER fail_commits BEFORE INSERT ON commits BEGIN SELECT RAISE(ABORT, 'injected'); END;";
            cmd.ExecuteNonQuery();
        }

        Assert.Equal(2, archive.Commit(SampleConversations.Create(2).Batch).Sequence); // acknowledged; then the index update fails
        var read = Task.Run(() => archive.GetLastSequence(), TestContext.Current.CancellationToken);
        var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(first == read, "a read from the writer's own thread waited for the writer");
        Assert.Contains(logged, m => m.Contains("injected", StringComparison.Ordinal));
        archive.Dispose();
        t.Dispose();
    }

    [Fact]
    public void WalCheckpointer_AfterTheWalOncePassedTheThreshold_DoesNotCheckpointEverySmallCommit()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        var wal = new FileInfo(t.IndexPath + "-wal");
        var i = 0;
        do
        {
            archive.Commit(SampleConversations.Create(i++, turns: 6, branches: 3, withAttachment: false).Batch);
            wal.Refresh();
        }
        while (wal.Length <= WalCheckpointer.Threshold + (1 << 20));

        // Let the checkpointer run its checkpoint, and the next commit restart the WAL from its beginning.
        Thread.Sleep(500);
        archive.Commit(SampleConversations.Create(i++, turns: 1, branches: 1, withAttachment: false).Batch);
        Thread.Sleep(500);
        var db = new FileInfo(t.IndexPath);
        var before = db.LastWriteTimeUtc;
        wal.Refresh();
        var walLength = wal.Length;

        archive.Commit(SampleConversations.Create(i++, turns: 1, branches: 1, withAttachment: false).Batch); // a few KiB of WAL
        Thread.Sleep(500);
        db.Refresh();
        Assert.True(before == db.LastWriteTimeUtc, $"index.db was rewritten after a few KiB of WAL; the -wal file is {walLength} bytes");
    }
}
