using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The existence checks the writer makes while it validates a commit, on a read connection of its own (the
/// indexer uses the write connection on another thread). Statements are prepared once per connection. Each query
/// is its own read transaction, so it sees everything the indexer has committed before it starts.
/// </summary>
internal sealed class IndexLookups : IDisposable
{
    // Built once: the writer probes for every node of a commit, and a query built per probe was a string to make and hash each time.
    private static readonly string NodeSql = "SELECT 1 FROM nodes WHERE " + IndexIds.IdIs("nodes", "$x");
    private static readonly string MemberSql = "SELECT 1 FROM conversation_nodes WHERE conversation = $c AND node = (SELECT k FROM nodes WHERE " + IndexIds.IdIs("nodes", "$x") + ")";

    private readonly SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);

    public IndexLookups(ArchiveIndex index)
    {
        Index = index;
        connection = index.OpenRead();
    }

    /// <summary>The index these lookups read (a rebuild replaces the archive's index).</summary>
    public ArchiveIndex Index { get; }

    public bool NodeExists(string id) => Exists(NodeSql, id);

    public bool BlobExists(string id) => Exists("SELECT 1 FROM blobs WHERE id = $x", id);

    public bool ModelExists(string id) => Exists("SELECT 1 FROM models WHERE id = $x", id);

    public bool ConversationExists(string id) => Exists("SELECT 1 FROM conversations WHERE id = $x", id);

    public bool AnnotationExists(string id) => Exists("SELECT 1 FROM annotations WHERE id = $x", id);

    /// <summary>
    /// True if the conversation is stored with exactly this record (read back through its location by
    /// <paramref name="readRecord"/>: the index keeps no copy), these member nodes and these raw sources.
    /// </summary>
    public bool HoldsAlready(string conversationId, ReadOnlySpan<byte> record, IEnumerable<string> nodeIds, IEnumerable<string> raw,
        Func<(uint Segment, long Offset, int EntryOffset, int EntryLength), ReadOnlyMemory<byte>> readRecord)
    {
        var cmd = Statement("SELECT k, segment, offset, entry_offset, entry_length FROM conversations WHERE id = $x");
        cmd.Parameters["$x"].Value = IndexIds.ToKey(conversationId);
        long key;
        (uint, long, int, int) location;
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read())
            {
                return false;
            }

            key = r.GetInt64(0);
            location = ((uint)r.GetInt64(1), r.GetInt64(2), r.GetInt32(3), r.GetInt32(4));
        }

        return readRecord(location).Span.SequenceEqual(record)
            && AllPresent(MemberSql, key, nodeIds)
            && AllPresent("SELECT 1 FROM conversation_raw WHERE conversation = $c AND blob = (SELECT k FROM blobs WHERE id = $x)", key, raw);
    }

    private bool AllPresent(string sql, long conversation, IEnumerable<string> ids)
    {
        var cmd = Statement(sql);
        cmd.Parameters["$c"].Value = conversation;
        foreach (var id in ids)
        {
            cmd.Parameters["$x"].Value = IndexIds.ToKey(id);
            if (cmd.ExecuteScalar() is null)
            {
                return false;
            }
        }

        return true;
    }

    private bool Exists(string sql, string id)
    {
        var cmd = Statement(sql);
        cmd.Parameters["$x"].Value = IndexIds.ToKey(id);
        return cmd.ExecuteScalar() is not null;
    }

    private SqliteCommand Statement(string sql)
    {
        if (!statements.TryGetValue(sql, out var cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.Add(new SqliteParameter { ParameterName = "$x" });
            if (sql.Contains("$c", StringComparison.Ordinal))
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = "$c" });
            }

            statements[sql] = cmd;
        }

        return cmd;
    }

    public void Dispose()
    {
        foreach (var cmd in statements.Values)
        {
            cmd.Dispose();
        }

        statements.Clear();
        connection.Dispose();
    }
}
