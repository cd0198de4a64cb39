using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Compacts the index when a writer closes it after it has at least doubled in nodes since it was last compacted: FTS5's
/// <c>optimize</c> merges the full-text segments that each indexing transaction left (one posting list a word instead
/// of one a segment), and <c>VACUUM</c> rewrites the file with every B-tree packed full (rows inserted in random key
/// order leave pages a third empty) and no free pages. About 6 % of the corpus's index (BENCHMARKS §21). Doubling
/// bounds the cost: each row is rewritten about twice over the life of the archive, however it grows.
/// <c>VACUUM</c> keeps every key: each key a table or FTS5 refers to is an <c>INTEGER PRIMARY KEY</c> (only implicit rowids may move).
/// </summary>
internal static class IndexCompaction
{
    /// <summary>An index with fewer nodes than this is never compacted (nothing to gain).</summary>
    public const long DefaultMinimumNodes = 4096;

    /// <summary>The <c>meta</c> row holding the node count at the last compaction: the writer's own, so verify skips it.</summary>
    internal const string MetaKey = "compacted_nodes";

    /// <summary>Compacts if due; false if not due or if a step failed (then tried again at the next close).</summary>
    public static bool CompactIfGrown(SqliteConnection writer, long minimumNodes)
    {
        var nodes = Scalar(writer, "SELECT COALESCE(MAX(k), 0) FROM nodes");
        var compacted = Scalar(writer, $"SELECT COALESCE(CAST((SELECT value FROM meta WHERE key = '{MetaKey}') AS INTEGER), 0)");
        if (nodes < minimumNodes || nodes < 2 * compacted)
        {
            return false;
        }

        try
        {
            // Each step on its own: a crash between them leaves a valid index whose compaction is simply redone.
            Exec(writer, "INSERT INTO node_text(node_text) VALUES('optimize')");
            Exec(writer, "VACUUM");
            Exec(writer, string.Create(CultureInfo.InvariantCulture, $"INSERT INTO meta(key, value) VALUES('{MetaKey}', '{nodes}') ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
            return true;
        }
        catch (SqliteException)
        {
            // SQLITE_BUSY or SQLITE_LOCKED (another connection is writing), or the disk: each step is a transaction that
            // either happened or did not, and compaction only saves space, so closing goes on (the sync after it reports
            // a failing disk).
            return false;
        }
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
