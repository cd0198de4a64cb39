using System.Diagnostics;
using Amber.Storage;
using Microsoft.Data.Sqlite;

namespace Amber.Benchmarks;

/// <summary>
/// The FTS5 floor: the archive's <c>node_text</c> table alone in a fresh SQLite file, filled with one prepared
/// INSERT in one transaction (WAL, <c>synchronous=OFF</c>). The archive's indexer does at least this for the same
/// rows, and much more besides (other tables, one transaction per commit group, fsync).
/// </summary>
public static class FloorsFullText
{
    /// <summary>The module arguments of the archive's table, contentless (copied from <c>ArchiveIndex</c>'s schema; <see cref="ArchiveDefinition"/> checks it).</summary>
    public const string Contentless = "fts5(text, content='', tokenize = 'unicode61 remove_diacritics 2')";

    /// <summary>The same column and tokenizer with FTS5's own copy of the text, as index schema 4 had (for comparison).</summary>
    public const string WithContent = "fts5(text, tokenize = 'unicode61 remove_diacritics 2')";

    /// <summary>The <c>fts5(…)</c> part of the <c>node_text</c> definition in a freshly created archive's index.</summary>
    public static string ArchiveDefinition(string workDirectory)
    {
        var dir = Path.Combine(workDirectory, "schema-archive");
        var indexPath = Path.Combine(dir, "index.db");
        using (Archive.Init(new ArchiveOptions { Directory = dir, IndexPath = indexPath }))
        {
        }

        using var c = Open(indexPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT sql FROM sqlite_master WHERE name = 'node_text'";
        var sql = cmd.ExecuteScalar() as string ?? throw new InvalidOperationException($"{indexPath}: the archive's index has no node_text table.");
        var start = sql.IndexOf("fts5(", StringComparison.Ordinal);
        return start < 0 ? sql : sql[start..].TrimEnd();
    }

    /// <summary>Creates <c>node_text USING <paramref name="definition"/></c> in a new file and times inserting every row in one transaction (commit included).</summary>
    /// <returns>The time and the database's bytes afterwards (main file and WAL).</returns>
    public static (TimeSpan Elapsed, long Bytes) Insert(string path, string definition, IReadOnlyList<(string Text, string Node)> rows)
    {
        Delete(path);
        TimeSpan elapsed;
        using (var c = Open(path))
        {
            Exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
            Exec(c, $"CREATE VIRTUAL TABLE node_text USING {definition};");
            var t = Stopwatch.GetTimestamp();
            using (var tx = c.BeginTransaction())
            {
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                // As the archive: the rowid is the node's integer key.
                cmd.CommandText = "INSERT INTO node_text(rowid, text) VALUES($k, $t)";
                var text = cmd.Parameters.Add("$t", SqliteType.Text);
                var key = cmd.Parameters.Add("$k", SqliteType.Integer);
                cmd.Prepare();
                var k = 0L;
                foreach (var (t1, _) in rows)
                {
                    text.Value = t1;
                    key.Value = ++k;
                    cmd.ExecuteNonQuery();
                }

                tx.Commit();
            }

            elapsed = Stopwatch.GetElapsedTime(t);
        }

        var bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        Delete(path);
        return (elapsed, bytes);
    }

    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static void Delete(string path)
    {
        foreach (var p in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(p);
        }
    }
}
