using Amber.Core.Model;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 20, item 5: <c>verify</c> checks every index row that a reader or a decision trusts against the segments.
/// Each edit below was shown by readers as truth while <c>verify</c> passed.
/// </summary>
public sealed class IndexAuditTests
{
    [Theory]
    [InlineData("conversations", "UPDATE conversations SET title = 'forged' WHERE rowid = 1")]
    [InlineData("nodes", "UPDATE nodes SET created = '1999-01-01T00:00:00Z' WHERE rowid = 1")]
    [InlineData("nodes", "UPDATE nodes SET parent = NULL WHERE rowid = (SELECT MAX(rowid) FROM nodes)")]
    [InlineData("nodes", "UPDATE nodes SET id = zeroblob(32) WHERE rowid = 1")]
    [InlineData("node_text", "INSERT INTO node_text(rowid, text) VALUES((SELECT MAX(rowid) + 1 FROM nodes), 'forged words')")]
    [InlineData("node_text", "UPDATE node_text_data SET block = substr(block, 1, length(block) - 7) WHERE id = (SELECT MAX(id) FROM node_text_data)")]
    [InlineData("node_text", "UPDATE node_text_docsize SET sz = X'63' WHERE id = (SELECT MIN(id) FROM node_text_docsize)")]
    [InlineData("node_text", "INSERT INTO node_text_docsize(id, sz) VALUES((SELECT MAX(k) + 1 FROM nodes), X'00')")]
    [InlineData("node_text", "UPDATE node_text_data SET block = X'0501' WHERE id = 1")] // the totals ranking reads (row and token counts)
    [InlineData("models", "UPDATE models SET name = 'forged-model'")]
    [InlineData("nodes", "UPDATE nodes SET tier = 1 WHERE rowid = 2")]
    [InlineData("conversations", "UPDATE conversations SET tier = 1")]
    [InlineData("node_keys", "INSERT INTO node_keys(key, node) VALUES('forged', 1)")]
    [InlineData("conversation_nodes", "UPDATE conversation_nodes SET node = (SELECT MAX(k) FROM nodes) WHERE node = (SELECT MIN(node) FROM conversation_nodes)")]
    [InlineData("conversation_raw", "DELETE FROM conversation_raw")]
    [InlineData("commits", "UPDATE commits SET length = length + 1 WHERE seq = 1")]
    [InlineData("commits", "UPDATE commits SET time = '1999-01-01T00:00:00Z' WHERE seq = 2")]
    [InlineData("annotations", "DELETE FROM annotations")]
    [InlineData("conversation_nodes", "DELETE FROM conversation_nodes WHERE node = (SELECT node FROM conversation_nodes LIMIT 1)")]
    [InlineData("instances", "UPDATE instances SET depth = depth + 1")]
    [InlineData("blobs", "UPDATE blobs SET size = size + 1")]
    [InlineData("checkpoints", "UPDATE checkpoints SET size = size + 1")]
    [InlineData("conversations", "UPDATE conversations SET models = '[\"forged\"]'")]
    [InlineData("conversations", "UPDATE conversations SET raw_bytes = raw_bytes + 1")]
    public async Task Item05_Verify_AnEditedIndexRow_IsAFaultNamingItsTable(string table, string edit)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init())
        {
            var (batch, _, leaves) = SampleConversations.Create(1);
            batch.AddAnnotation(new Annotation { Target = leaves[0], Kind = Annotation.Rest, Reason = "let it rest", Created = "2024-01-01T00:00:00.000Z" });
            archive.Commit(batch);
            archive.Commit(SampleConversations.Create(2).Batch);
            Assert.True(ArchiveVerifier.Verify(archive).Ok);
        }

        IndexFaults.Exec(t.IndexPath, edit.Replace("rowid = 1", "rowid = (SELECT MIN(rowid) FROM " + FromOf(edit) + ")", StringComparison.Ordinal));
        await using var reopened = t.Open();
        var report = ArchiveVerifier.Verify(reopened);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.StartsWith($"index: {table}:", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.Contains("amber index rebuild", StringComparison.Ordinal));

        // And the fault is the index's alone: a rebuild from the segments clears it.
        reopened.RebuildIndex();
        Assert.True(ArchiveVerifier.Verify(reopened).Ok, string.Join("\n", ArchiveVerifier.Verify(reopened).Faults));
    }

    /// <summary>
    /// The contentless full-text index holds no text to compare: its postings are compared with those of the nodes'
    /// text in the segments. A row deleted (FTS5's 'delete' needs the text it was given) or given other text is a fault.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_AFullTextRowRemovedOrChanged_IsAFaultOfNodeText(bool replaced)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        string text;
        await using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
            archive.Commit(SampleConversations.Create(2).Batch);
            var firstNode = archive.GetConversation(SampleConversations.Create(1).ConversationId)!.Tree.Nodes.First(n => n.Value.SearchText.Length > 0);
            text = firstNode.Value.SearchText;
            Assert.True(ArchiveVerifier.Verify(archive).Ok);
            var key = Key(t.IndexPath, firstNode.Key);
            using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={t.IndexPath};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO node_text(node_text, rowid, text) VALUES('delete', $k, $t)"
                + (replaced ? "; INSERT INTO node_text(rowid, text) VALUES($k, 'forged words')" : "");
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$t", text);
            cmd.ExecuteNonQuery();
        }

        await using var reopened = t.Open();
        var report = ArchiveVerifier.Verify(reopened);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.StartsWith("index: node_text:", StringComparison.Ordinal));
        reopened.RebuildIndex();
        Assert.True(ArchiveVerifier.Verify(reopened).Ok);
    }

    private static long Key(string indexPath, string nodeId)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={indexPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT k FROM nodes WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", Amber.Core.Hashing.ContentId.ToDigest(nodeId));
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task Item05_Verify_AnArchiveWithEveryKindOfRow_HasNoIndexFault()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        for (var i = 0; i < 5; i++)
        {
            var (batch, _, leaves) = SampleConversations.Create(i);
            batch.AddAnnotation(new Annotation { Target = leaves[0], Kind = Annotation.Rest, Reason = $"rest {i}", Created = "2024-01-01T00:00:00.000Z" });
            archive.Commit(batch);
        }

        await archive.EnsureCheckpointAsync();
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
    }

    private static string FromOf(string sql)
    {
        var words = sql.Split(' ');
        return words[0] == "UPDATE" ? words[1] : words[Array.IndexOf(words, "FROM") + 1];
    }
}
