using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 22, verify: which rows a frame produces is written once (<see cref="IndexRowDeriver"/>). The live index writes
/// them through SQLite; verify keeps them in memory (<see cref="ExpectedRows"/>) and compares them with the live tables,
/// with no scratch index. The two must agree row for row, keys included.
/// </summary>
public sealed class IndexRowDeriverTests
{
    [Fact]
    public async Task TheRowsDerivedInMemory_AreEveryRowTheIndexHolds()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var derived = await SeedAndDeriveAsync(archive);

        using var c = new SqliteConnection($"Data Source={t.IndexPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        foreach (var table in IndexTables.All.Where(t => t != IndexTables.Meta))
        {
            var live = Rows(c, table);
            var expected = derived.Rows(table).ToList();
            Assert.Equal(live.Count, expected.Count);
            Assert.True(live.ToHashSet(RowComparer.Instance).SetEquals(expected), $"{table.Name}: the rows derived in memory differ from the index's");
        }

        Assert.NotEmpty(derived.Rows(IndexTables.Instances));
        Assert.NotEmpty(derived.Rows(IndexTables.Checkpoints));
        Assert.NotEmpty(derived.Rows(IndexTables.Annotations));
        Assert.Equal(Rows(c, IndexTables.Nodes).Count, derived.Texts.Count);
    }

    /// <summary>Verify compares the columns <see cref="IndexTables"/> lists: they must be every table and column of the schema.</summary>
    [Fact]
    public void IndexTables_ListEveryRelationalTableAndColumnOfTheSchema()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        using (t.Init())
        {
        }

        using var c = new SqliteConnection($"Data Source={t.IndexPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'node_text%' AND name <> 'key_names' ORDER BY name";
        // key_names is not content: an encrypted archive's note of which keys made ahead keys.db has filed (encryption.md §4.1).
        var tables = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                tables.Add(r.GetString(0));
            }
        }

        Assert.Equal(tables, IndexTables.All.Select(x => x.Name));
        foreach (var table in IndexTables.All)
        {
            cmd.CommandText = $"SELECT name FROM pragma_table_info('{table.Name}') ORDER BY cid";
            var columns = new List<string>();
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                columns.Add(r.GetString(0));
            }

            Assert.Equal(columns, table.Columns);
        }
    }

    /// <summary>A conversation's <c>models</c> column was SQLite's <c>json_group_array</c> over its model names in BINARY order; indexes written so still verify.</summary>
    [Fact]
    public void ModelNames_AreWrittenAsSqlitesJsonGroupArray()
    {
        string[] names = ["b\"q", "a\\b", "tab\there", "nl\nx", "bell\u0007", "\u007f", "é", "\uFF21", "😀", "plain", "plain"];
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "CREATE TABLE m(name TEXT)";
        cmd.ExecuteNonQuery();
        foreach (var n in names)
        {
            cmd.CommandText = "INSERT INTO m(name) VALUES($n)";
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("$n", n);
            cmd.ExecuteNonQuery();
        }

        cmd.Parameters.Clear();
        cmd.CommandText = "SELECT json_group_array(name) FROM (SELECT DISTINCT name FROM m ORDER BY name)";
        var sqlite = (string)cmd.ExecuteScalar()!;

        Assert.Equal(sqlite, IndexRowDeriver.JsonArrayOf(names.Distinct(StringComparer.Ordinal).Order(Utf8Order.Instance)));
        Assert.Equal("[]", IndexRowDeriver.JsonArrayOf([]));
    }

    internal static List<object?[]> Rows(SqliteConnection c, IndexTable table)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {string.Join(", ", table.Columns)} FROM {table.Name}";
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Commits two sample conversations, an annotation and one conversation again (its row updated, not added), signs a
    /// checkpoint, waits for the index, and derives the rows of every frame in memory: the live index and the derived
    /// rows of one archive, for the tests that compare them.
    /// </summary>
    internal static async Task<ExpectedRows> SeedAndDeriveAsync(Archive archive)
    {
        var (batch, _, leaves) = SampleConversations.Create(1);
        batch.AddAnnotation(new Annotation { Target = leaves[0], Kind = Annotation.Rest, Reason = "let it rest", Created = "2024-01-01T00:00:00.000Z" });
        archive.Commit(batch);
        archive.Commit(SampleConversations.Create(2).Batch);
        archive.Commit(SampleConversations.Create(1).Batch); // the same conversation again: its row is updated, not added
        await archive.EnsureCheckpointAsync();
        archive.WaitForIndexer();

        var derived = new ExpectedRows();
        foreach (var f in ScannedFramesTests.Read(archive).Where(f => f.Kind == ScannedFrame.Kinds.Frame))
        {
            Assert.True(ScannedFrames.Derive(derived, f, new(StringComparer.Ordinal)));
        }
        return derived;
    }
}
