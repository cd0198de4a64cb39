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
        => IndexRowDeriver.Apply(new SqlRows(this, tx, changes), commit, models, cipher: cipher, refreshLater: changes.Touched);

    /// <summary>This index as a row store for <see cref="IndexRowDeriver"/>, writing in <paramref name="tx"/>.</summary>
    public IIndexRowStore Rows(SqliteTransaction tx) => new SqlRows(this, tx);

    /// <summary>The model records this index has read, by id (the derivation's cache).</summary>
    public Dictionary<string, Amber.Core.Model.ModelReference> Models => models;

    /// <summary>
    /// Runs a write statement. Each distinct statement is prepared once with its parameters and reused (the writer
    /// is single-threaded); later calls only set the values.
    /// </summary>
    private int Run(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args) => Prepared(tx, sql, args).ExecuteNonQuery();

    private object? Scalar(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args) => Prepared(tx, sql, args).ExecuteScalar();

    private SqliteCommand Prepared(SqliteTransaction tx, string sql, (string Name, object? Value)[] args)
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
            index.Run(tx, InsertSql(table, "INSERT"), Args(values));
            var key = table.Keyed ? (long)index.Scalar(tx, "SELECT last_insert_rowid()")! : 0;
            changes?.Inserted(table, values, key);
            return key;
        }

        public void InsertOrIgnore(IndexTable table, object?[] values)
        {
            if (index.Run(tx, InsertSql(table, "INSERT OR IGNORE"), Args(values)) > 0)
            {
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
            => index.Scalar(tx, $"SELECT k FROM {table.Name} WHERE {IndexIds.IdIs(table.Name, "$id")}", ("$id", id)) is long k ? k : null;

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
                index.Run(tx, InsertSql(IndexTables.Instances, "INSERT"), Args(row));
            }
        }

        public void AddText(long node, string text) => index.Run(tx, "INSERT INTO node_text(rowid, text) VALUES($n, $t)", ("$n", node), ("$t", text));

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

        private static (string, object?)[] Args(object?[] values)
        {
            var args = new (string, object?)[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                args[i] = (Param(i), values[i]);
            }

            return args;
        }

        private static string Param(int i) => "$v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
