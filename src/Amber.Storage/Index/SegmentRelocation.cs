using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Moves every index row that locates something in one segment to where a compaction put it, in the caller's
/// transaction (segment.md §14). A commit may move into a merged frame (or back out of one): its row in <c>commits</c>
/// is matched by seq, the rows of its entries by their entry offset inside the commit's range of the old frame, which
/// shifts to its range of the new one. A row that no move matches means the index disagrees with the segment, and
/// nothing is changed.
/// </summary>
internal static class SegmentRelocation
{
    /// <summary>Tables whose rows locate an entry: (segment, offset) of its frame and its offset in the decoded payload.</summary>
    private static readonly string[] EntryTables = ["conversations", "nodes", "blobs"];

    public static void Apply(SqliteConnection db, SqliteTransaction tx, uint segment, IEnumerable<FrameMove> moves)
    {
        Exec(db, tx, """
            CREATE TEMP TABLE IF NOT EXISTS moved(old INTEGER NOT NULL, new INTEGER NOT NULL, length INTEGER NOT NULL,
                old_base INTEGER NOT NULL, new_base INTEGER NOT NULL, span INTEGER NOT NULL, seq INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS temp.moved_old ON moved(old, seq);
            DELETE FROM temp.moved;
            """);
        using (var insert = db.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO temp.moved(old, new, length, old_base, new_base, span, seq) VALUES($o, $n, $l, $ob, $nb, $s, $q)";
            var o = insert.Parameters.Add("$o", SqliteType.Integer);
            var n = insert.Parameters.Add("$n", SqliteType.Integer);
            var l = insert.Parameters.Add("$l", SqliteType.Integer);
            var ob = insert.Parameters.Add("$ob", SqliteType.Integer);
            var nb = insert.Parameters.Add("$nb", SqliteType.Integer);
            var s = insert.Parameters.Add("$s", SqliteType.Integer);
            var q = insert.Parameters.Add("$q", SqliteType.Integer);
            foreach (var m in moves)
            {
                (o.Value, n.Value, l.Value, ob.Value, nb.Value, s.Value, q.Value) = (m.Old, m.New, m.NewLength, m.OldBase, m.NewBase, m.Span, m.Seq);
                insert.ExecuteNonQuery();
            }
        }

        // Offsets go negative first and back after, so no row takes an offset another row still holds (checkpoints'
        // primary key is (segment, offset)), and no row is matched twice.
        var where = $"WHERE segment = {segment}";
        Move(db, tx, segment, "commits", $"UPDATE commits SET offset = -1 - m.new, length = m.length FROM temp.moved m {where} AND m.old = commits.offset AND m.seq = commits.seq AND m.seq > 0");
        foreach (var t in new[] { "checkpoints", "dictionaries" })
        {
            Move(db, tx, segment, t, $"UPDATE {t} SET offset = -1 - m.new FROM temp.moved m {where} AND m.old = {t}.offset AND m.seq = 0");
        }

        foreach (var t in EntryTables)
        {
            Move(db, tx, segment, t, $"""
                UPDATE {t} SET offset = -1 - m.new, entry_offset = {t}.entry_offset - m.old_base + m.new_base FROM temp.moved m
                {where} AND m.old = {t}.offset AND m.seq > 0 AND {t}.entry_offset >= m.old_base AND {t}.entry_offset < m.old_base + m.span
                """);
        }

        foreach (var t in EntryTables.Concat(["commits", "checkpoints", "dictionaries"]))
        {
            Exec(db, tx, $"UPDATE {t} SET offset = -1 - offset WHERE segment = {segment}");
        }

        Exec(db, tx, "DELETE FROM temp.moved");
    }

    private static void Move(SqliteConnection db, SqliteTransaction tx, uint segment, string table, string update)
    {
        Exec(db, tx, update);
        if (Count(db, tx, $"SELECT count(*) FROM {table} WHERE segment = {segment} AND offset >= 0") is var stray and > 0)
        {
            throw new CorruptArchiveException($"index table {table} has {stray} row(s) in {ArchivePaths.SegmentName(segment)} at offsets where no frame or commit of the compacted segment is; run `amber index rebuild` before compacting.");
        }
    }

    private static void Exec(SqliteConnection db, SqliteTransaction tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long Count(SqliteConnection db, SqliteTransaction tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
