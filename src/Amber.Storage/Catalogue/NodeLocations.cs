using Amber.Storage.Reading;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Amber.Storage.Catalogue;

/// <summary>
/// The ids and locations of every node of a conversation, from the index. Read through SQLite's C API on the
/// connection's own handle: a large conversation has hundreds of rows, and <see cref="SqliteDataReader"/> makes two
/// native calls per column read (type, then value), a quarter of this query's time for the largest real conversation.
/// </summary>
internal static class NodeLocations
{
    private const string Sql = """
        SELECT n.id, n.segment, n.offset, n.entry_offset, n.entry_length FROM conversation_nodes cn JOIN nodes n ON n.k = cn.node
        WHERE cn.conversation = ?1
        """;

    /// <summary>The locations in file order, so that each frame is met once. Runs inside the connection's current transaction, if any.</summary>
    public static List<NodeLocation> Query(SqliteConnection connection, long conversation, int expected)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The index connection is not open.");
        var locations = new List<NodeLocation>(expected);
        Check(raw.sqlite3_prepare_v2(db, Sql, out var stmt), db);
        using (stmt)
        {
            Check(raw.sqlite3_bind_int64(stmt, 1, conversation), db);
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                locations.Add(new NodeLocation(
                    Amber.Core.Hashing.ContentId.Format(raw.sqlite3_column_blob(stmt, 0)),
                    (uint)raw.sqlite3_column_int64(stmt, 1),
                    raw.sqlite3_column_int64(stmt, 2),
                    raw.sqlite3_column_int(stmt, 3),
                    raw.sqlite3_column_int(stmt, 4)));
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }

        // Sorted here rather than by SQLite, which would build a temporary B-tree.
        locations.Sort();
        return locations;
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
