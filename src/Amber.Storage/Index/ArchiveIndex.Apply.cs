using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The index's side of "how a durable frame becomes rows": <see cref="IndexRowDeriver"/> decides the rows (the one rule,
/// shared with verify), and <see cref="SqlRows"/> writes them into this index.
/// </summary>
internal sealed partial class ArchiveIndex
{
    /// <summary>Indexes one durable commit frame. The same code serves fresh commits, catch-up and rebuilds.</summary>
    /// <param name="tx">The writer's transaction.</param>
    /// <param name="commit">The decoded commit.</param>
    /// <param name="cipher">An encrypted archive's index cipher (<see cref="IndexRowDeriver.Apply"/>).</param>
    public void Apply(SqliteTransaction tx, IndexedCommit commit, IndexCipher? cipher = null) => IndexRowDeriver.Apply(Rows(tx), commit, models, cipher: cipher);

    /// <summary>
    /// Indexes one commit of several in <paramref name="tx"/>, noting in <paramref name="changes"/> the conversations it
    /// touched and the rows it added to them; <see cref="RefreshConversations(SqliteTransaction, ConversationChanges)"/>
    /// then brings each one's summary up to date once, before the transaction commits.
    /// </summary>
    public void Apply(SqliteTransaction tx, IndexedCommit commit, IndexCipher? cipher, ConversationChanges changes)
    {
        keys.Use(tx);
        IndexRowDeriver.Apply(new SqlRows(this, tx, changes), commit, models, cipher: cipher, refreshLater: changes.Touched);
    }

    /// <summary>This index as a row store for <see cref="IndexRowDeriver"/>, writing in <paramref name="tx"/>.</summary>
    public IIndexRowStore Rows(SqliteTransaction tx)
    {
        keys.Use(tx);
        return new SqlRows(this, tx);
    }

    /// <summary>How many key lookups of the row derivation this writer has sent to SQLite (tests: the others were answered from memory).</summary>
    internal long KeyQueries { get; private set; }

    /// <summary>The model records this index has read, by id (the derivation's cache).</summary>
    public Dictionary<string, Amber.Core.Model.ModelReference> Models => models;

    /// <summary>
    /// Runs a write statement. Each distinct statement is prepared once with its parameters and reused (the writer
    /// is single-threaded); later calls only set the values.
    /// </summary>
    internal int Run(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args) => Prepared(tx, sql, args).ExecuteNonQuery();

    internal object? Scalar(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args) => Prepared(tx, sql, args).ExecuteScalar();

    /// <summary>
    /// As <see cref="Prepared(SqliteTransaction, string, ValueTuple{string, object}[])"/> for a statement whose parameters are
    /// <c>$v0</c>, <c>$v1</c>, … in order: the values are set by position, with no name to look up or tuple to build per row.
    /// </summary>
    internal SqliteCommand Prepared(SqliteTransaction tx, string sql, object?[] values)
    {
        if (!statements.TryGetValue(sql, out var cmd))
        {
            cmd = Writer.CreateCommand();
            cmd.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = SqlRows.Param(i) });
            }

            statements[sql] = cmd;
        }

        cmd.Transaction = tx;
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return cmd;
    }

    /// <summary>The rowid of the writer's last successful insert, read from the connection (no statement to run).</summary>
    private long LastInsertKey() => SQLitePCL.raw.sqlite3_last_insert_rowid(Writer.Handle);

    /// <summary>Rows the writer's last statement inserted, changed or deleted.</summary>
    private int LastChanges() => SQLitePCL.raw.sqlite3_changes(Writer.Handle);

    internal SqliteCommand Prepared(SqliteTransaction tx, string sql, (string Name, object? Value)[] args)
    {
        if (!statements.TryGetValue(sql, out var cmd))
        {
            cmd = Writer.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (name, _) in args)
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            statements[sql] = cmd;
        }

        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            cmd.Parameters[name].Value = value ?? DBNull.Value;
        }

        return cmd;
    }

    /// <summary>
    /// The derived rows written into this index, in one transaction; with <paramref name="changes"/>, the rows a
    /// conversation's summary derives from are noted there as they are inserted.
    /// </summary>
    private sealed class SqlRows(ArchiveIndex index, SqliteTransaction tx, ConversationChanges? changes = null) : IIndexRowStore
    {
        private static readonly Dictionary<string, string> Names = [];

        public long Insert(IndexTable table, object?[] values)
        {
            index.Prepared(tx, InsertSql(table, "INSERT"), values).ExecuteNonQuery();
            if (!table.Keyed)
            {
                changes?.Inserted(table, values, 0);
                return 0;
            }

            var key = index.LastInsertKey();
            index.keys.Add(table, (byte[])values[0]!, key); // a keyed table's first written column is its id
            changes?.Inserted(table, values, key);
            return key;
        }

        public void InsertOrIgnore(IndexTable table, object?[] values)
        {
            index.Prepared(tx, InsertSql(table, "INSERT OR IGNORE"), values).ExecuteNonQuery();
            if (index.LastChanges() == 1)
            {
                if (table.Keyed)
                {
                    index.keys.Add(table, (byte[])values[0]!, index.LastInsertKey());
                }

                changes?.Inserted(table, values, 0);
            }
        }

        public void Update(IndexTable table, long key, params (string Column, object? Value)[] values)
        {
            var sets = string.Join(", ", values.Select((v, i) => $"{v.Column} = {Param(i)}"));
            var args = values.Select((v, i) => (Param(i), v.Value)).Append(("$key", (object?)key)).ToArray();
            index.Run(tx, $"UPDATE {table.Name} SET {sets} WHERE k = $key", args);
        }

        public long? KeyOf(IndexTable table, byte[] id)
        {
            if (index.keys.TryGet(table, id, out var known))
            {
                return known;
            }

            index.KeyQueries++;
            if (index.Prepared(tx, KeyOfSql(table), [id]).ExecuteScalar() is not long k)
            {
                return null;
            }

            index.keys.Add(table, id, k);
            return k;
        }

        public object? Read(IndexTable table, long key, string column)
            => index.Scalar(tx, $"SELECT {column} FROM {table.Name} WHERE k = $key", ("$key", key)) is var v and not DBNull ? v : null;

        public string? CommitTime(long seq) => index.Scalar(tx, "SELECT time FROM commits WHERE seq = $seq", ("$seq", seq)) as string;

        public List<ConversationMember> Members(long conversation)
        {
            var cmd = index.Prepared(tx, """
                SELECT n.k, n.parent, n.tier, n.model IS NOT NULL, m.name FROM conversation_nodes cn JOIN nodes n ON n.k = cn.node
                    LEFT JOIN models m ON m.k = n.model WHERE cn.conversation = $c
                """, [("$c", conversation)]);
            using var r = cmd.ExecuteReader();
            var list = new List<ConversationMember>();
            while (r.Read())
            {
                list.Add(new(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt32(2), r.GetInt64(3) != 0, r.IsDBNull(4) ? null : r.GetString(4)));
            }

            return list;
        }

        public List<long> RawSizes(long conversation)
        {
            var cmd = index.Prepared(tx, "SELECT b.size FROM conversation_raw cr JOIN blobs b ON b.k = cr.blob WHERE cr.conversation = $c", [("$c", conversation)]);
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
            index.Run(tx, "DELETE FROM instances WHERE conversation = $c", ("$c", conversation));
            foreach (var row in rows)
            {
                index.Prepared(tx, InsertSql(IndexTables.Instances, "INSERT"), row).ExecuteNonQuery();
            }
        }

        public void AddText(long node, string text) => index.Prepared(tx, "INSERT INTO node_text(rowid, text) VALUES($v0, $v1)", [node, text]).ExecuteNonQuery();

        private static string InsertSql(IndexTable table, string verb)
        {
            var key = verb + " " + table.Name;
            lock (Names)
            {
                if (!Names.TryGetValue(key, out var sql))
                {
                    var cols = table.Written.ToArray();
                    sql = $"{verb} INTO {table.Name}({string.Join(", ", cols)}) VALUES({string.Join(", ", cols.Select((_, i) => Param(i)))})";
                    Names[key] = sql;
                }

                return sql;
            }
        }

        /// <summary>The lookup of a keyed table's row by id, its one parameter <c>$v0</c>.</summary>
        private static string KeyOfSql(IndexTable table)
        {
            var key = "KEY " + table.Name;
            lock (Names)
            {
                if (!Names.TryGetValue(key, out var sql))
                {
                    sql = $"SELECT k FROM {table.Name} WHERE {IndexIds.IdIs(table.Name, "$v0")}";
                    Names[key] = sql;
                }

                return sql;
            }
        }

        internal static string Param(int i) => "$v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
