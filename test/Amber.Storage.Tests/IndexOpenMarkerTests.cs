using System.Globalization;
using Amber.Storage.Index;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>
/// The index runs without fsyncs while a marker beside it names the machine's boot. A process that dies leaves its
/// writes in the page cache, so the same boot reopens the index as it is; a marker naming another boot means the
/// machine restarted while the index was open, so the index is rebuilt from the segments, or refused by a reader.
/// </summary>
public sealed class IndexOpenMarkerTests
{
    private const string AnotherBoot = "00000000-0000-4000-8000-000000000000";

    [Fact]
    public async Task WhileOpenForWriting_TheMarkerNamesThisBoot_AndACleanCloseRemovesIt()
    {
        var boot = CurrentBootOrSkip();
        using var t = new TestArchives(FileSystemKind.Local);
        var marker = IndexOpenMarker.PathOf(t.IndexPath);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
            Assert.Equal(0L, archive.Index.WriterSynchronous()); // OFF
            Assert.Contains(boot, File.ReadAllText(marker), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(marker));
        await using var reopened = t.Open();
        Assert.Empty(reopened.Recovery.Actions);
        Assert.Single(reopened.ListConversations());
    }

    [Fact]
    public async Task Open_AfterTheProcessDiedWithTheIndexOpen_KeepsTheIndex()
    {
        var boot = CurrentBootOrSkip();
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        // What a killed writer leaves: the marker of this boot (its writes are all in the page cache).
        IndexOpenMarker.Write(t.IndexPath, boot);
        await using var reopened = t.Open();
        Assert.False(reopened.Recovery.IndexRebuilt);
        Assert.DoesNotContain(reopened.Recovery.Actions, a => a.Contains("restarted", StringComparison.Ordinal));
        Assert.Single(reopened.ListConversations());
    }

    [Fact]
    public async Task Open_AfterAMachineRestartWithTheIndexOpen_DeletesItUnread_AndRebuildsIt()
    {
        CurrentBootOrSkip();
        using var t = new TestArchives(FileSystemKind.Local);
        var sample = SampleConversations.Create(2);
        await using (var archive = t.Init())
        {
            archive.Commit(sample.Batch);
        }

        // A restart can leave the unsynced index in any state: here, not even a SQLite file.
        IndexOpenMarker.Write(t.IndexPath, AnotherBoot);
        File.WriteAllBytes(t.IndexPath, new byte[8192]);
        await using (var reopened = t.Open())
        {
            Assert.True(reopened.Recovery.IndexRebuilt);
            Assert.Contains(reopened.Recovery.Actions, a => a.Contains($"the machine restarted while index {t.IndexPath} was open without fsyncs (boot {AnotherBoot})", StringComparison.Ordinal));
            Assert.Equal(sample.ConversationId, Assert.Single(reopened.ListConversations()).Id);
            Assert.NotNull(reopened.GetConversation(sample.ConversationId));
        }

        await using var again = t.Open();
        Assert.True(ArchiveVerifier.Verify(again).Ok);
    }

    [Fact]
    public async Task OpenReadOnly_AfterAMachineRestartWithTheIndexOpen_RefusesAndNamesTheFix()
    {
        CurrentBootOrSkip();
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(3).Batch);
        }

        IndexOpenMarker.Write(t.IndexPath, AnotherBoot);
        var e = Assert.Throws<InvalidOperationException>(() => t.Open(o => o with { ReadOnly = true }));
        Assert.Contains("open the archive once for writing to rebuild it", e.Message, StringComparison.Ordinal);
        Assert.Contains(t.IndexPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_AfterAMachineRestartWithTheIndexOpen_WithoutTheSigningKey_NamesTheMissingKey()
    {
        CurrentBootOrSkip();
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(4).Batch);
        }

        // Without log/signing.key an open for writing is read-only too, so "open it for writing" cannot rebuild the index.
        File.Delete(Amber.Storage.Log.LogKeys.SigningKeyPath(t.Directory));
        IndexOpenMarker.Write(t.IndexPath, AnotherBoot);
        var e = Assert.Throws<InvalidOperationException>(() => t.Open());
        Assert.Contains("log/signing.key", e.Message, StringComparison.Ordinal);
        Assert.Contains(t.IndexPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenWriter_WhereTheBootCannotBeTold_DiscardsAnIndexLeftUnsyncedByABoot()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(5).Batch);
        }

        SqliteConnection.ClearAllPools(); // as in a new process: no pooled connection still has the old file open

        // The archive's disk moved, after a power cut on Linux, to a machine that cannot name its boot (or a sandbox
        // without /proc): nothing tells this boot from that one, so the index may have lost writes.
        IndexOpenMarker.Write(t.IndexPath, AnotherBoot);
        using var index = ArchiveIndex.OpenWriter(t.IndexPath, boot: null);
        Assert.Contains($"boot {AnotherBoot}", index.Discarded, StringComparison.Ordinal);
        Assert.Null(index.Position);
        Assert.Equal(1L, index.WriterSynchronous()); // NORMAL: no marker can guard it here
        Assert.False(File.Exists(IndexOpenMarker.PathOf(t.IndexPath)));
    }

    [Fact]
    public async Task Dispose_LeavesTheSqliteLocksOfConnectionsStillOpenOnTheIndex()
    {
        CurrentBootOrSkip();
        Assert.SkipUnless(File.Exists("/proc/locks"), "This machine does not list its file locks (/proc/locks).");
        using var t = new TestArchives(FileSystemKind.Local);

        // A connection of this process that outlives the archive, as the pooled ones the archive leaves behind do.
        using var held = new SqliteConnection($"Data Source={t.IndexPath};Pooling=False");
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
            Assert.Single(archive.ListConversations());
            held.Open();
            using var cmd = held.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM conversations";
            Assert.Equal(1L, cmd.ExecuteScalar());
            Assert.True(HoldsSqliteSharedLock(t.IndexPath), "the open connections hold no shared lock on index.db to begin with");
        }

        // A descriptor of index.db opened and closed outside SQLite releases every POSIX lock this process holds on the
        // file, SQLite's included (sqlite.org/howtocorrupt.html, 2.2). Another process's SQLite then takes itself for the
        // last connection at its close, and checkpoints and deletes the -wal and -shm files these connections still use.
        Assert.True(HoldsSqliteSharedLock(t.IndexPath), "closing the archive released the shared lock that this process's connections still open on index.db hold");
    }

    [Fact]
    public async Task Open_AfterACloseThatCouldNotSyncTheIndex_RebuildsItEvenOnTheSameBoot()
    {
        CurrentBootOrSkip();
        using var t = new TestArchives(FileSystemKind.Local);
        var sample = SampleConversations.Create(4);
        await using (var archive = t.Init())
        {
            archive.Commit(sample.Batch);
        }

        // What Dispose leaves when its fsync fails: the pages whose write-back failed may be gone from the cache.
        IndexOpenMarker.MarkFailedSync(t.IndexPath);
        await using var reopened = t.Open();
        Assert.True(reopened.Recovery.IndexRebuilt);
        Assert.Contains(reopened.Recovery.Actions, a => a.Contains(IndexOpenMarker.FailedSync, StringComparison.Ordinal));
        Assert.Equal(sample.ConversationId, Assert.Single(reopened.ListConversations()).Id);
    }

    private static string CurrentBootOrSkip()
    {
        var boot = IndexOpenMarker.CurrentBoot();
        Assert.SkipWhen(boot is null, "This machine cannot name its boot (no /proc/sys/kernel/random/boot_id), so the index keeps its fsyncs and writes no marker.");
        return boot!;
    }

    /// <summary>True if this process holds SQLite's shared lock on the database file: a POSIX lock from byte 0x40000002 (os_unix.c).</summary>
    private static bool HoldsSqliteSharedLock(string databasePath)
    {
        var inode = InodeOfOpenFile(databasePath);
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return File.ReadAllLines("/proc/locks")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length >= 8 && f[1] == "POSIX" && f[4] == pid && f[5].EndsWith(":" + inode, StringComparison.Ordinal) && f[6] == "1073741826");
    }

    /// <summary>The inode of a file through a descriptor this process already has open on it (opening one would release its locks).</summary>
    private static string InodeOfOpenFile(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == full)
                {
                    var line = File.ReadLines($"/proc/self/fdinfo/{Path.GetFileName(fd)}").First(l => l.StartsWith("ino:", StringComparison.Ordinal));
                    return line["ino:".Length..].Trim();
                }
            }
            catch (IOException)
            {
                // Closed meanwhile.
            }
        }

        throw new InvalidOperationException($"this process has no descriptor open on {full}");
    }
}
