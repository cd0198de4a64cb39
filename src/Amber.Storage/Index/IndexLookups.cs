using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The existence checks the writer makes while it validates a commit, on a read connection of its own (the
/// indexer uses the write connection on another thread). Statements are prepared once per connection. Each query
/// is its own read transaction, so it sees everything the indexer has committed before it starts.
/// </summary>
internal sealed class IndexLookups : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);

    public IndexLookups(ArchiveIndex index)
    {
        Index = index;
        connection = index.OpenRead();
    }

    /// <summary>The index these lookups read (a rebuild replaces the archive's index).</summary>
    public ArchiveIndex Index { get; }

    public bool NodeExists(string id) => Exists("SELECT 1 FROM nodes WHERE id = $x", id);

    public bool BlobExists(string id) => Exists("SELECT 1 FROM blobs WHERE id = $x", id);

    public bool ModelExists(string id) => Exists("SELECT 1 FROM models WHERE id = $x", id);

    public bool ConversationExists(string id) => Exists("SELECT 1 FROM conversations WHERE id = $x", id);

    public bool AnnotationExists(string id) => Exists("SELECT 1 FROM annotations WHERE id = $x", id);

    /// <summary>True if the conversation is stored with exactly this record, these member nodes and these raw sources.</summary>
    public bool HoldsAlready(string conversationId, string recordJson, IEnumerable<string> nodeIds, IEnumerable<string> raw)
    {
        var record = Statement("SELECT record FROM conversations WHERE id = $x");
        record.Parameters["$x"].Value = conversationId;
        if (record.ExecuteScalar() is not string stored || stored != recordJson)
        {
            return false;
        }

        return AllPresent("SELECT 1 FROM conversation_nodes WHERE conversation = $c AND node = $x", conversationId, nodeIds)
            && AllPresent("SELECT 1 FROM conversation_raw WHERE conversation = $c AND blob = $x", conversationId, raw);
    }

    private bool AllPresent(string sql, string conversationId, IEnumerable<string> ids)
    {
        var cmd = Statement(sql);
        cmd.Parameters["$c"].Value = conversationId;
        foreach (var id in ids)
        {
            cmd.Parameters["$x"].Value = id;
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
        cmd.Parameters["$x"].Value = id;
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
