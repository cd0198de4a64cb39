using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>
/// An index written by an earlier schema is rebuilt when a writer opens the archive (a reader refuses it and names the
/// fix), and today's index keeps ids once as BLOBs, no copy of the text and no copy of the records.
/// </summary>
public sealed class IndexSchemaTests
{
    [Fact]
    public async Task Open_AnIndexOfTheEarlierSchema_RebuildsIt_IntoTheSlimSchema()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var sample = SampleConversations.Create(3);
        await using (var archive = t.Init())
        {
            archive.Commit(sample.Batch);
        }

        MakeSchema5(t.IndexPath);
        await using (var archive = t.Open())
        {
            Assert.Contains(archive.Recovery.Actions, a => a.Contains($"index schema 5 differs from {ArchiveIndex.SchemaVersion}; rebuilding it", StringComparison.Ordinal));
            Assert.Equal(sample.ConversationId, Assert.Single(archive.ListConversations()).Id);
            Assert.Contains(archive.Search("question"), h => h.Conversation == sample.ConversationId);
        }

        Assert.Equal(ArchiveIndex.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(t.IndexPath, "SELECT value FROM meta WHERE key = 'schema'"));
        Assert.Equal("0", Scalar(t.IndexPath, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema5_leftover'"));
        // Ids once, as 32-byte BLOBs; references by integer key; no copy of the text or of a record.
        Assert.Equal("32", Scalar(t.IndexPath, "SELECT MIN(length(id)) FROM nodes"));
        Assert.Equal("blob", Scalar(t.IndexPath, "SELECT DISTINCT typeof(id) FROM conversations"));
        Assert.Equal("integer", Scalar(t.IndexPath, "SELECT DISTINCT typeof(node) FROM conversation_nodes"));
        Assert.Equal("0", Scalar(t.IndexPath, "SELECT COUNT(*) FROM pragma_table_info('conversations') WHERE name = 'record'"));
        Assert.Equal("0", Scalar(t.IndexPath, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'node_text_content'"));
        Assert.Contains("content=''", Scalar(t.IndexPath, "SELECT sql FROM sqlite_master WHERE name = 'node_text'"), StringComparison.Ordinal);
        // Schema 8: postings without word positions; schema 9: nor column lists.
        Assert.Contains("detail=none", Scalar(t.IndexPath, "SELECT sql FROM sqlite_master WHERE name = 'node_text'"), StringComparison.Ordinal);
        // Schema 6: no copy of the commit infos; the log entry is read from the commit frame and is the leaf the index records.
        Assert.Equal("0", Scalar(t.IndexPath, "SELECT COUNT(*) FROM pragma_table_info('commits') WHERE name = 'info'"));
        await using (var reader = t.Open(o => o with { ReadOnly = true }))
        {
            var entry = reader.GetLogEntry(0);
            Assert.NotNull(entry);
            Assert.Equal(Scalar(t.IndexPath, "SELECT hex(leaf_hash) FROM commits WHERE seq = 1"), Convert.ToHexString(Amber.Transparency.Merkle.MerkleHash.HashLeaf(entry)));
            Assert.Null(reader.GetLogEntry(1));
        }
    }

    [Fact]
    public async Task Open_AnIndexOfSchema7_SaysSo_AndRebuildsItWithPostingsWithoutPositions()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var sample = SampleConversations.Create(3);
        await using (var archive = t.Init())
        {
            archive.Commit(sample.Batch);
        }

        MakeSchema7(t.IndexPath);
        await using (var archive = t.Open())
        {
            Assert.Contains(archive.Recovery.Actions, a => a.Contains($"index schema 7 differs from {ArchiveIndex.SchemaVersion}; rebuilding it", StringComparison.Ordinal));
            Assert.Empty(archive.Search("stale"));
            Assert.Contains(archive.Search("question"), h => h.Conversation == sample.ConversationId);
        }

        Assert.Contains("detail=none", Scalar(t.IndexPath, "SELECT sql FROM sqlite_master WHERE name = 'node_text'"), StringComparison.Ordinal);
        Assert.Equal(ArchiveIndex.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(t.IndexPath, "SELECT value FROM meta WHERE key = 'schema'"));
    }

    [Fact]
    public async Task Open_AnIndexOfSchema8_SaysSo_AndRebuildsItWithPostingsWithoutColumnLists_AndContentIdsAsBytes()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        const string sourceId = "sha256:3f9a0c1e5b7d2f4608a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3";
        await using (var archive = t.Init())
        {
            var batch = new CommitBatch("test");
            var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = sourceId, Title = "t" });
            part.AddNode(new Node { Role = "user", Content = [new TextBlock("a question about zephyr winds")] });
            archive.Commit(batch);
        }

        MakeSchema8(t.IndexPath, sourceId);
        await using (var archive = t.Open())
        {
            Assert.Contains(archive.Recovery.Actions, a => a.Contains($"index schema 8 differs from {ArchiveIndex.SchemaVersion}; rebuilding it", StringComparison.Ordinal));
            Assert.Empty(archive.Search("stale"));
            var hit = Assert.Single(archive.Search("zephyr"));
            Assert.Contains("«zephyr»", hit.Snippet, StringComparison.Ordinal);
            Assert.Equal(sourceId, Assert.Single(archive.ListConversations()).SourceId);
        }

        Assert.Contains("detail=none", Scalar(t.IndexPath, "SELECT sql FROM sqlite_master WHERE name = 'node_text'"), StringComparison.Ordinal);
        Assert.Equal("33", Scalar(t.IndexPath, "SELECT length(source_id) FROM conversations"));
        Assert.Equal(ArchiveIndex.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(t.IndexPath, "SELECT value FROM meta WHERE key = 'schema'"));
    }

    [Fact]
    public void Open_AnEncryptedArchivesIndexOfSchema9_SaysSo_AndRebuildsItWithoutItsPlaintext()
    {
        using var e = new Encryption.EncryptedArchive();
        var index = Path.Combine(e.Directory, "index.db");
        using (var archive = e.Init())
        {
            var (batch, _, _) = Encryption.EncryptedArchive.CanaryConversation("nine");
            archive.Commit(batch);
            Assert.Single(archive.Search("answer canary nine"));
        }

        // What schema 9 kept for an encrypted archive: the words and the title in the clear.
        Exec(index, """
            UPDATE meta SET value = '9' WHERE key = 'schema';
            UPDATE conversations SET title = 'plaintitlenine';
            INSERT INTO node_text(rowid, text) VALUES((SELECT MAX(k) + 1000 FROM nodes), 'plainwordnine');
            """);
        using (var archive = e.Open())
        {
            Assert.Contains(archive.Recovery.Actions, a => a.Contains($"index schema 9 differs from {ArchiveIndex.SchemaVersion}; rebuilding it", StringComparison.Ordinal));
            Assert.Empty(archive.Search("plainwordnine"));
            Assert.Equal("title-canary-nine", Assert.Single(archive.Search("answer canary nine")).Title);
        }

        Assert.Empty(Encryption.CanaryScan.Find(e.Directory, ["plainwordnine", "plaintitlenine", .. Encryption.EncryptedArchive.Canaries("nine")]));
    }

    [Theory]
    [InlineData("2023-04-01T12:00:00.123456Z", "integer", "2023-04")]
    [InlineData("1969-12-31T23:59:59.9999999Z", "integer", "1969-12")]
    [InlineData("2023-05-01T00:00:00Z", "integer", "2023-05")]
    [InlineData("2023-04-30T23:30:00-02:00", "text", "2023-04")] // not packable: kept as text, the month as written
    public async Task NodeCreated_IsStoredCompactly_AndReadBackAsTheSourceGaveIt(string created, string storedAs, string month)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "plain-id", Title = "t", Created = "2023-01-01T00:00:00Z" });
        var leaf = part.AddNode(new Node { Role = "user", Content = [new TextBlock("hello")], Created = created });
        archive.Commit(batch);

        var instance = Assert.Single(archive.ListInstances()); // (a read waits for the index to hold the commit)
        Assert.Equal(leaf, instance.Id);
        Assert.Equal(created, instance.Created);
        Assert.Equal(month, Assert.Single(archive.GetUsage().Rows).Month);
        Assert.Equal(storedAs, Scalar(t.IndexPath, "SELECT typeof(created) FROM nodes"));
    }

    [Fact]
    public async Task ConversationUpdated_IsStoredPacked_ComparedAsTime_AndReadBackInTheCommitTimeForm()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        string Commit(string updated)
        {
            var batch = new CommitBatch("test");
            var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "c1", Title = "t", Created = "2024-01-01T00:00:00Z", Updated = updated });
            part.AddNode(new Node { Role = "user", Content = [new TextBlock("hello " + updated)] });
            archive.Commit(batch);
            return part.Id;
        }

        var id = Commit("2025-03-04T05:06:07.5Z");
        Assert.Equal("2025-03-04T05:06:07.5000000Z", archive.GetSummary(id)!.Updated);
        Assert.Equal("integer", Scalar(t.IndexPath, "SELECT typeof(updated) FROM conversations"));
        // An older copy read later does not move it back: the stored value is read back as the time it names.
        Commit("2025-01-01T00:00:00Z");
        Assert.Equal("2025-03-04T05:06:07.5000000Z", archive.GetSummary(id)!.Updated);
        Commit("2025-03-04T05:06:08Z");
        Assert.Equal("2025-03-04T05:06:08.0000000Z", archive.GetSummary(id)!.Updated);
        Assert.Equal("integer", Scalar(t.IndexPath, "SELECT typeof(updated) FROM conversations"));
    }

    [Theory]
    [InlineData("3f9a0c1e5b7d2f4608a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3", "blob", 32)]
    [InlineData("sha256:3f9a0c1e5b7d2f4608a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3", "blob", 33)] // a content id: a tag byte and the digest
    [InlineData("sha256:3f9a0c1e5b7d2f4608a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3/2", "text", 73)] // with a suffix: as given
    [InlineData("sha256:3F9A0C1E5B7D2F4608A1C3E5B7D9F0A2C4E6B8D0F1A3C5E7B9D1F3A5C7E9B1D3", "text", 71)] // upper case: as given
    [InlineData("0b6c3f2e-9d1a-4c5b-8e7f-6a5b4c3d2e1f", "blob", 16)]
    [InlineData("0B6C3F2E-9D1A-4C5B-8E7F-6A5B4C3D2E1F", "text", 36)] // upper case: kept as text, so it reads back as given
    [InlineData("conversation-17", "text", 15)]
    public async Task SourceIds_OfDigestsAndUuids_AreStoredAsBytes_AndReadBackExactly(string sourceId, string storedAs, int length)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = sourceId, Title = "t" });
        part.AddNode(new Node { Role = "user", Content = [new TextBlock("hello")] });
        archive.Commit(batch);

        Assert.Equal(sourceId, Assert.Single(archive.ListConversations()).SourceId); // (a read waits for the index to hold the commit)
        Assert.Equal(storedAs, Scalar(t.IndexPath, "SELECT typeof(source_id) FROM conversations"));
        Assert.Equal(length.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(t.IndexPath, "SELECT length(source_id) FROM conversations"));
    }

    [Fact]
    public async Task NodeIds_AreIndexedByTheirFirst8Bytes_AndConfirmedByTheWholeDigest()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var sample = SampleConversations.Create(3);
        await using var archive = t.Init();
        archive.Commit(sample.Batch);

        Assert.Equal("0", Scalar(t.IndexPath, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_autoindex_nodes_1'"));
        Assert.Contains("substr(id, 1, 8)", Scalar(t.IndexPath, "SELECT sql FROM sqlite_master WHERE name = 'nodes_id'"), StringComparison.Ordinal);
        var leaf = sample.Leaves[0];
        Assert.True(archive.ContainsNode(leaf));
        // Same first 8 bytes, another digest: the prefix index finds the row, the whole digest rejects it.
        var sibling = leaf[..^1] + (leaf[^1] == '0' ? '1' : '0');
        Assert.False(archive.ContainsNode(sibling));
        Assert.Equal(leaf, archive.Resolve(leaf[..20]).Id);
    }

    [Fact]
    public async Task OpenReadOnly_AnIndexOfTheEarlierSchema_RefusesAndNamesTheFix()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        MakeSchema5(t.IndexPath);
        var e = Assert.Throws<InvalidOperationException>(() => t.Open(o => o with { ReadOnly = true }));
        Assert.Contains("has schema 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("amber index rebuild", e.Message, StringComparison.Ordinal);

        // A writer then rebuilds it, after which a reader opens it.
        await using (t.Open())
        {
        }

        await using var reader = t.Open(o => o with { ReadOnly = true });
        Assert.Single(reader.ListConversations());
    }

    /// <summary>Makes the index claim schema 5 and carry what today's schema lacks (a table, and schema 5's copy of the commit infos), as an index written by the previous version would.</summary>
    private static void MakeSchema5(string indexPath)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE meta SET value = '5' WHERE key = 'schema'; CREATE TABLE schema5_leftover(x); ALTER TABLE commits ADD COLUMN info BLOB;";
        cmd.ExecuteNonQuery();
    }

    /// <summary>Makes the index one that schema 7 wrote: its claim, and postings with word positions (<c>detail=full</c>) of other text.</summary>
    private static void MakeSchema7(string indexPath)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            UPDATE meta SET value = '7' WHERE key = 'schema'; DROP TABLE node_text;
            CREATE VIRTUAL TABLE node_text USING fts5(text, content='', tokenize = {ArchiveIndex.Tokenizer});
            INSERT INTO node_text(rowid, text) SELECT k, 'stale words' FROM nodes;
            """;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Makes the index one that schema 8 wrote: its claim, postings with column lists (<c>detail=column</c>) of other text, and a content id source id as text.</summary>
    private static void MakeSchema8(string indexPath, string sourceId)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            UPDATE meta SET value = '8' WHERE key = 'schema'; DROP TABLE node_text;
            CREATE VIRTUAL TABLE node_text USING fts5(text, content='', detail=column, tokenize = {ArchiveIndex.Tokenizer});
            INSERT INTO node_text(rowid, text) SELECT k, 'stale words' FROM nodes;
            UPDATE conversations SET source_id = $s;
            """;
        cmd.Parameters.AddWithValue("$s", sourceId);
        cmd.ExecuteNonQuery();
    }

    private static void Exec(string path, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
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
