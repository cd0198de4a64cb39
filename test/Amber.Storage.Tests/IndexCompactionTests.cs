using Amber.Storage.Reading;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>
/// A writer compacts the index when it closes it after the index has doubled in nodes since its last compaction: FTS5's
/// segments merged into one, no free pages left, and search answering as before. And every close leaves the WAL empty.
/// </summary>
public sealed class IndexCompactionTests
{
    [Fact]
    public async Task Close_AfterTheIndexDoubled_MergesTheFullTextSegments_AndLeavesNoFreePages()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var samples = Enumerable.Range(0, 6).Select(i => SampleConversations.Create(i)).ToList();
        await using (var archive = t.Init(o => o with { IndexCompactAfterNodes = 8 }))
        {
            foreach (var sample in samples)
            {
                archive.Commit(sample.Batch); // a transaction each, so FTS5 has several segments to merge
                archive.WaitForIndexer();
            }

            Assert.True(Scalar(t.IndexPath, "SELECT COUNT(DISTINCT segid) FROM node_text_idx") > 1);
        }

        var nodes = Scalar(t.IndexPath, "SELECT MAX(k) FROM nodes");
        Assert.True(nodes >= 8);
        Assert.Equal(nodes, Scalar(t.IndexPath, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'compacted_nodes'"));
        Assert.Equal(1, Scalar(t.IndexPath, "SELECT COUNT(DISTINCT segid) FROM node_text_idx"));
        Assert.Equal(0, Scalar(t.IndexPath, "PRAGMA freelist_count"));
        await using (var reader = t.Open(o => o with { ReadOnly = true }))
        {
            foreach (var sample in samples)
            {
                Assert.Contains(reader.Search("question", 100, SearchOrder.Newest), h => h.Conversation == sample.ConversationId);
            }

            var report = Amber.Storage.Verification.ArchiveVerifier.Verify(reader);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
        }
    }

    [Fact]
    public async Task Close_BeforeTheIndexDoubled_LeavesItAsItIs_ThenCompactsOnceItHas()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init(o => o with { IndexCompactAfterNodes = 8 }))
        {
            archive.Commit(SampleConversations.Create(0).Batch);
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        var first = Scalar(t.IndexPath, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'compacted_nodes'");
        Assert.Equal(Scalar(t.IndexPath, "SELECT MAX(k) FROM nodes"), first);

        // One more conversation: fewer than twice the nodes compacted, so the close leaves the new segment alone.
        await using (var archive = t.Open(o => o with { IndexCompactAfterNodes = 8 }))
        {
            archive.Commit(SampleConversations.Create(2).Batch);
        }

        Assert.Equal(first, Scalar(t.IndexPath, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'compacted_nodes'"));
        Assert.True(Scalar(t.IndexPath, "SELECT COUNT(DISTINCT segid) FROM node_text_idx") > 1);

        await using (var archive = t.Open(o => o with { IndexCompactAfterNodes = 8 }))
        {
            for (var i = 3; i < 8; i++)
            {
                archive.Commit(SampleConversations.Create(i).Batch);
            }
        }

        Assert.Equal(Scalar(t.IndexPath, "SELECT MAX(k) FROM nodes"), Scalar(t.IndexPath, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'compacted_nodes'"));
        Assert.Equal(1, Scalar(t.IndexPath, "SELECT COUNT(DISTINCT segid) FROM node_text_idx"));
    }

    [Fact]
    public async Task Close_OfASmallIndex_DoesNotCompactIt()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(0).Batch);
        }

        Assert.Equal(0, Scalar(t.IndexPath, "SELECT COUNT(*) FROM meta WHERE key = 'compacted_nodes'"));
    }

    [Fact]
    public async Task Close_LeavesTheWalEmpty()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            for (var i = 0; i < 3; i++)
            {
                archive.Commit(SampleConversations.Create(i).Batch);
            }

            Assert.NotEmpty(archive.Search("question"));
        }

        // Absent counts as empty: a pooled connection closed meanwhile (another test clearing the pools) deletes it.
        long wal;
        try
        {
            wal = new FileInfo(t.IndexPath + "-wal").Length;
        }
        catch (FileNotFoundException)
        {
            wal = 0;
        }

        Assert.True(wal == 0, $"the WAL holds {wal} bytes after the writer closed");
        await using var reader = t.Open(o => o with { ReadOnly = true });
        Assert.Equal(3, reader.ListConversations().Count);
    }

    private static long Scalar(string path, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
