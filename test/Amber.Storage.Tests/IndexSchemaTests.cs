using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>An index written by an earlier schema is rebuilt when a writer opens the archive, and carries only today's tables and indexes.</summary>
public sealed class IndexSchemaTests
{
    [Fact]
    public async Task Open_AnIndexOfTheEarlierSchema_RebuildsIt_WithoutTheDroppedIndexes()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var sample = SampleConversations.Create(3);
        await using (var archive = t.Init())
        {
            archive.Commit(sample.Batch);
        }

        // Make it look like schema 3: its meta row, and the two indexes schema 4 no longer has.
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = t.IndexPath, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                UPDATE meta SET value = '3' WHERE key = 'schema';
                CREATE INDEX nodes_parent ON nodes(parent);
                CREATE INDEX instances_leaf ON instances(leaf);
                """;
            cmd.ExecuteNonQuery();
        }

        await using (var archive = t.Open())
        {
            Assert.Contains(archive.Recovery.Actions, a => a.Contains("index schema 3 differs from 4", StringComparison.Ordinal));
            Assert.Equal(sample.ConversationId, Assert.Single(archive.ListConversations()).Id);
        }

        Assert.Equal("4", Scalar(t.IndexPath, "SELECT value FROM meta WHERE key = 'schema'"));
        Assert.Equal("0", Scalar(t.IndexPath, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('nodes_parent', 'instances_leaf')"));
    }

    private static string? Scalar(string path, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
