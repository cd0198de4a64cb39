using System.Globalization;
using Amber.Storage.Index;
using Npgsql;
using NpgsqlTypes;

namespace Amber.Cluster.Catalogue;

/// <summary>
/// The PostgreSQL catalogue as a row store for <see cref="IndexRowDeriver"/>, writing in one transaction: how a node
/// applies its acknowledged commits to the catalogue by the same rule that builds <c>index.db</c> and the rebuild.
/// Keys <c>k</c> are given as SQLite gives an INTEGER PRIMARY KEY of a table nothing is deleted from (one more than the
/// largest), so rows applied commit by commit get the keys a rebuild gives them. The caller holds the catalogue's
/// advisory lock, so no other writer assigns keys meanwhile.
/// </summary>
internal sealed class PostgresRows(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema) : IIndexRowStore
{
    private static readonly Dictionary<IndexTable, PgTable> Tables = PostgresSchema.Tables.ToDictionary(t => t.Rows);

    private readonly string s = PostgresSchema.Quote(schema);

    public long Insert(IndexTable table, object?[] values) => Write(table, values, ignore: false) ?? 0;

    public void InsertOrIgnore(IndexTable table, object?[] values) => Write(table, values, ignore: true);

    public void Update(IndexTable table, long key, params (string Column, object? Value)[] values)
    {
        var pg = Tables[table];
        using var cmd = Command($"UPDATE {s}.{PostgresSchema.Quote(table.Name)} SET "
            + string.Join(", ", values.Select((v, i) => $"{PostgresSchema.Quote(v.Column)} = @v{i}")) + " WHERE k = @key");
        for (var i = 0; i < values.Length; i++)
        {
            Add(cmd, "v" + i.ToString(CultureInfo.InvariantCulture), pg.Kinds[table.Ordinal(values[i].Column)], values[i].Value);
        }

        cmd.Parameters.AddWithValue("key", key);
        cmd.ExecuteNonQuery();
    }

    public long? KeyOf(IndexTable table, byte[] id)
    {
        // The first row with an id is the one a lookup finds (nodes may repeat an id; the SQLite index finds the first too).
        using var cmd = Command($"SELECT k FROM {s}.{PostgresSchema.Quote(table.Name)} WHERE id = @id ORDER BY k LIMIT 1");
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Bytea) { Value = id });
        return cmd.ExecuteScalar() is long k ? k : null;
    }

    public object? Read(IndexTable table, long key, string column)
    {
        using var cmd = Command($"SELECT {PostgresSchema.Quote(column)} FROM {s}.{PostgresSchema.Quote(table.Name)} WHERE k = @key");
        cmd.Parameters.AddWithValue("key", key);
        return cmd.ExecuteScalar() is var v and not DBNull ? v : null;
    }

    public string? CommitTime(long seq)
    {
        using var cmd = Command($"SELECT time FROM {s}.commits WHERE seq = @seq");
        cmd.Parameters.AddWithValue("seq", seq);
        return cmd.ExecuteScalar() as string;
    }

    public List<ConversationMember> Members(long conversation)
    {
        using var cmd = Command($"""
            SELECT n.k, n.parent, n.tier, n.model IS NOT NULL, m.name FROM {s}.conversation_nodes cn JOIN {s}.nodes n ON n.k = cn.node
                LEFT JOIN {s}.models m ON m.k = n.model WHERE cn.conversation = @c
            """);
        cmd.Parameters.AddWithValue("c", conversation);
        using var r = cmd.ExecuteReader();
        var list = new List<ConversationMember>();
        while (r.Read())
        {
            list.Add(new(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), (int)r.GetInt64(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }

        return list;
    }

    public List<long> RawSizes(long conversation)
    {
        using var cmd = Command($"SELECT b.size FROM {s}.conversation_raw cr JOIN {s}.blobs b ON b.k = cr.blob WHERE cr.conversation = @c");
        cmd.Parameters.AddWithValue("c", conversation);
        using var r = cmd.ExecuteReader();
        var list = new List<long>();
        while (r.Read())
        {
            list.Add(r.GetInt64(0));
        }

        return list;
    }

    public void ReplaceInstances(long conversation, List<object?[]> rows)
    {
        using (var delete = Command($"DELETE FROM {s}.instances WHERE conversation = @c"))
        {
            delete.Parameters.AddWithValue("c", conversation);
            delete.ExecuteNonQuery();
        }

        foreach (var row in rows)
        {
            Write(IndexTables.Instances, row, ignore: false);
        }
    }

    public void AddText(long node, string text)
    {
        using var cmd = Command($"INSERT INTO {s}.node_text (node, words) VALUES (@n, to_tsvector('{PostgresSchema.TextConfig}', @t))");
        cmd.Parameters.AddWithValue("n", node);
        cmd.Parameters.AddWithValue("t", text);
        cmd.ExecuteNonQuery();
    }

    /// <summary>True when the catalogue holds the commit already (by its log leaf hash, which names the commit).</summary>
    public bool HasCommit(IndexedCommit commit)
    {
        using var cmd = Command($"SELECT 1 FROM {s}.commits WHERE leaf_hash = @h");
        cmd.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Bytea) { Value = Amber.Transparency.Merkle.MerkleHash.HashLeaf(commit.Entries[0].Body.Span) });
        return cmd.ExecuteScalar() is not null;
    }

    private long? Write(IndexTable table, object?[] values, bool ignore)
    {
        var pg = Tables[table];
        var written = table.Written.ToArray();
        var columns = (table.Keyed ? ["k", .. written] : written).Select(PostgresSchema.Quote);
        var args = written.Select((_, i) => "@v" + i.ToString(CultureInfo.InvariantCulture));
        var name = $"{s}.{PostgresSchema.Quote(table.Name)}";
        var sql = $"INSERT INTO {name} ({string.Join(", ", columns)}) VALUES ("
            + (table.Keyed ? $"(SELECT COALESCE(max(k), 0) + 1 FROM {name}), " : "") + string.Join(", ", args) + ")"
            + (ignore ? " ON CONFLICT DO NOTHING" : "") + (table.Keyed ? " RETURNING k" : "");
        using var cmd = Command(sql);
        var offset = table.Keyed ? 1 : 0;
        for (var i = 0; i < written.Length; i++)
        {
            Add(cmd, "v" + i.ToString(CultureInfo.InvariantCulture), pg.Kinds[i + offset], values[i]);
        }

        if (table.Keyed)
        {
            return cmd.ExecuteScalar() as long?; // null when ignored
        }

        cmd.ExecuteNonQuery();
        return null;
    }

    private static void Add(NpgsqlCommand cmd, string name, PgColumnKind kind, object? derived)
    {
        var value = PostgresSchema.Value(kind, derived);
        if (kind == PgColumnKind.Integer && value is not null and not long)
        {
            value = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }

        cmd.Parameters.Add(new NpgsqlParameter(name, PostgresSchema.DbType(kind)) { Value = value ?? DBNull.Value });
    }

    private NpgsqlCommand Command(string sql) => new(sql, connection, transaction);
}
