using Microsoft.Data.Sqlite;

namespace Amber.Storage.Verification;

/// <summary>
/// Leaves the index's files as verify found them. A read-only SQLite connection to a WAL database makes
/// <c>index.db-wal</c> and <c>-shm</c> when they are absent and never removes them; only a read-write connection that
/// closes last does. So when verify's open found no WAL (no writer had the index open, none crashed with one), its close
/// opens one read-write connection that only reads: closing last, it checkpoints an empty WAL (no page of
/// <c>index.db</c> is written) and removes both files; while another connection is open (a writer that started
/// meanwhile) it leaves them to it. A WAL that was there before is never touched: checkpointing it would write the index.
/// </summary>
internal static class VerifyIndexClose
{
    public static void Close(string indexPath, bool walWasThere)
    {
        var wal = indexPath + "-wal";
        if (walWasThere || !File.Exists(indexPath) || !File.Exists(wal) || new FileInfo(wal).Length != 0)
        {
            return;
        }

        // This process's pooled read-only connections first: a connection still open would keep the files.
        SqliteConnection.ClearAllPools();
        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA busy_timeout=0; SELECT count(*) FROM sqlite_master;";
            cmd.ExecuteScalar();
        }
        catch (SqliteException)
        {
            // Busy or unreadable: the two files stay, as SQLite left them; nothing in index.db changed.
        }
    }
}
