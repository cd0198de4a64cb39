using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Moves every index row that locates something in one segment to the offsets a compaction gave its frames, in the
/// caller's transaction (segment.md §14). Every table that stores a frame's (segment, offset) is updated; a row whose
/// offset is not a frame of the old file means the index disagrees with the segment, and nothing is changed.
/// </summary>
internal static class SegmentRelocation
{
    /// <summary>Tables whose rows carry (segment, offset) of a frame; <c>commits</c> also carries the frame's length.</summary>
    private static readonly string[] Tables = ["commits", "checkpoints", "dictionaries", "conversations", "nodes", "blobs"];

    public static void Apply(SqliteConnection db, SqliteTransaction tx, uint segment, IEnumerable<(long From, long To, long Length)> moves)
    {
        Exec(db, tx, "CREATE TEMP TABLE IF NOT EXISTS moved(old INTEGER PRIMARY KEY, new INTEGER NOT NULL, length INTEGER NOT NULL); DELETE FROM temp.moved;");
        using (var insert = db.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO temp.moved(old, new, length) VALUES($o, $n, $l)";
            var o = insert.Parameters.Add("$o", SqliteType.Integer);
            var n = insert.Parameters.Add("$n", SqliteType.Integer);
            var l = insert.Parameters.Add("$l", SqliteType.Integer);
            foreach (var m in moves)
            {
                (o.Value, n.Value, l.Value) = (m.From, m.To, m.Length);
                insert.ExecuteNonQuery();
            }
        }

        // Offsets go negative first and back after, so no row takes an offset another row still holds (checkpoints'
        // primary key is (segment, offset)).
        foreach (var t in Tables)
        {
            var length = t == "commits" ? ", length = m.length" : "";
            Exec(db, tx, $"UPDATE {t} SET offset = -1 - m.new{length} FROM temp.moved m WHERE {t}.segment = {segment} AND m.old = {t}.offset");
            if (Count(db, tx, $"SELECT count(*) FROM {t} WHERE segment = {segment} AND offset >= 0") is var stray and > 0)
            {
                throw new CorruptArchiveException($"index table {t} has {stray} row(s) in {ArchivePaths.SegmentName(segment)} at offsets where no frame starts; run `amber index rebuild` before compacting.");
            }

            Exec(db, tx, $"UPDATE {t} SET offset = -1 - offset WHERE segment = {segment}");
        }

        Exec(db, tx, "DELETE FROM temp.moved");
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
