using System.Globalization;
using Amber.Storage.Index;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Amber.Storage.Verification;

/// <summary>
/// The contentless full-text index against the nodes' text in the segments. The scratch index keeps that text as plain
/// rows (<c>node_text</c>, no tokenizing); an external-content FTS5 table over them (<c>node_text_copy</c>) is given
/// copies of the live index's shadow tables, read in the audit's snapshot. FTS5's <c>integrity-check</c> with rank 1
/// then re-tokenizes every row and compares a checksum over every (row, column, position, term) with the one over the
/// index, each row's token count with its <c>docsize</c>, the totals ranking reads, and the index's structure, in C,
/// with no second index built (<c>sqlite3Fts5StorageIntegrity</c>). Only when that fails are the postings rebuilt and
/// merged to name the faulty rows (<see cref="NameFaults"/>), as every check was made before.
/// </summary>
internal static class FullTextAudit
{
    private const string Copy = "node_text_copy";
    private const string Truth = "node_text_truth";

    /// <summary>The plain table the scratch index keeps the node text in, instead of the full-text table.</summary>
    internal const string ScratchTextTable = "CREATE TABLE IF NOT EXISTS node_text(id INTEGER PRIMARY KEY, text TEXT NOT NULL);";

    /// <summary>Copies the live full-text index (attached as <c>live</c>) into the scratch database, inside the audit's snapshot.</summary>
    public static void CopyLive(SqliteConnection c)
    {
        Exec(c, Table(Copy, $"content='node_text', content_rowid='id'"));
        Exec(c, $"DELETE FROM main.{Copy}_data; DELETE FROM main.{Copy}_idx; DELETE FROM main.{Copy}_config;");
        Exec(c, $"""
            INSERT INTO main.{Copy}_data(id, block) SELECT id, block FROM live.node_text_data;
            INSERT INTO main.{Copy}_idx(segid, term, pgno) SELECT segid, term, pgno FROM live.node_text_idx;
            INSERT INTO main.{Copy}_docsize(id, sz) SELECT id, sz FROM live.node_text_docsize;
            INSERT INTO main.{Copy}_config(k, v) SELECT k, v FROM live.node_text_config;
            """);
    }

    /// <summary>
    /// Checks the copy against the text, on a connection of its own (so FTS5 reads the copied shadow tables afresh).
    /// Every row of text must have a <c>docsize</c> row (FTS5 looks each one up), and the counts must agree, so the live
    /// index holds no row the segments do not give, even one without a word.
    /// </summary>
    public static void Check(string scratchUri, Action<string> fault)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scratchUri, Pooling = false }.ToString());
        c.Open();
        if (Matches(c))
        {
            return;
        }

        if (NameFaults(c, fault) == 0)
        {
            fault("node_text: the full-text index (its totals, or what its postings sum to) disagrees with the nodes' text in the segments (FTS5's integrity check); search would rank or find the wrong messages.");
        }
    }

    private static bool Matches(SqliteConnection c)
    {
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"SELECT (SELECT count(*) FROM main.node_text) = (SELECT count(*) FROM main.{Copy}_docsize)";
            if ((long)cmd.ExecuteScalar()! != 1)
            {
                return false;
            }
        }

        try
        {
            Exec(c, $"INSERT INTO {Copy}({Copy}, rank) VALUES('integrity-check', 1)");
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 267 /* SQLITE_CORRUPT_VTAB */ or 11 /* SQLITE_CORRUPT */)
        {
            return false;
        }
    }

    /// <summary>
    /// The slow path, on failure only: the postings of the text are built into a contentless table and merged with the
    /// copy's, both in (term, doc, col, offset) order (FTS5's <c>fts5vocab</c> instance views), with each node's token
    /// count; then FTS5 checks the copy's structure. Returns how many faults it named.
    /// </summary>
    private static int NameFaults(SqliteConnection c, Action<string> fault)
    {
        var named = 0;
        void Named(string f)
        {
            named++;
            fault(f);
        }

        try
        {
            Exec(c, Table(Truth, "content=''"));
            Exec(c, $"INSERT INTO {Truth}(rowid, text) SELECT id, text FROM main.node_text");
            ComparePostings(c, Named);
        }
        catch (SqliteException e)
        {
            Named($"node_text: the full-text index cannot be read ({e.Message}); search would find the wrong messages.");
        }

        try
        {
            Exec(c, $"INSERT INTO {Copy}({Copy}) VALUES('integrity-check')");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 267 or 11)
        {
            Named($"node_text: the full-text postings disagree with the text they index ({e.Message}); search would find the wrong messages.");
        }

        return named;
    }

    private static void ComparePostings(SqliteConnection c, Action<string> fault)
    {
        Exec(c, $"CREATE VIRTUAL TABLE temp.live_postings USING fts5vocab(main, {Copy}, instance)");
        Exec(c, $"CREATE VIRTUAL TABLE temp.true_postings USING fts5vocab(main, {Truth}, instance)");
        var (extra, missing) = DifferingPostings(c);
        foreach (var key in extra)
        {
            fault($"node_text: the search postings of node key {key} are not derived from that node's text in the segments (edited, or not its text).");
        }

        foreach (var key in missing)
        {
            fault($"node_text: the search postings of node key {key} are missing or differ from that node's text in the segments.");
        }

        var liveSizes = $"SELECT id, sz FROM main.{Copy}_docsize";
        var trueSizes = $"SELECT id, sz FROM main.{Truth}_docsize";
        foreach (var key in IndexAudit.Keys(c, $"SELECT * FROM ({liveSizes} EXCEPT {trueSizes}) UNION SELECT * FROM ({trueSizes} EXCEPT {liveSizes})"))
        {
            fault($"node_text: the token count of node key {key} differs from that node's text in the segments (ranking reads it).");
        }
    }

    /// <summary>The live index's full-text table under another name and content option (the same tokenizer and options).</summary>
    private static string Table(string name, string content)
    {
        var sql = ArchiveIndex.FullTextTable
            .Replace(" node_text USING", $" main.{name} USING", StringComparison.Ordinal)
            .Replace("content=''", content, StringComparison.Ordinal);
        return sql.Contains($" main.{name} USING", StringComparison.Ordinal) && sql.Contains(content, StringComparison.Ordinal)
            ? sql
            : throw new InvalidOperationException($"verify cannot derive its full-text tables from {ArchiveIndex.FullTextTable}");
    }

    /// <summary>
    /// Merges the live and the derived postings, both in (term, doc, col, offset) order, through SQLite's C API (a
    /// corpus has millions): the node keys with postings only the live index has, and those only the derivation has.
    /// </summary>
    private static (List<long> Extra, List<long> Missing) DifferingPostings(SqliteConnection c)
    {
        const string Sql = "SELECT term, doc, col, offset FROM temp.{0}_postings";
        var db = c.Handle!;
        var extra = new List<long>();
        var missing = new List<long>();
        Check(raw.sqlite3_prepare_v2(db, string.Format(CultureInfo.InvariantCulture, Sql, "live"), out var live), db);
        using (live)
        {
            Check(raw.sqlite3_prepare_v2(db, string.Format(CultureInfo.InvariantCulture, Sql, "true"), out var truth), db);
            using (truth)
            {
                var hasLive = Step(live, db);
                var hasTruth = Step(truth, db);
                while ((hasLive || hasTruth) && (extra.Count < IndexAudit.RowsShown || missing.Count < IndexAudit.RowsShown))
                {
                    var order = !hasLive ? 1 : !hasTruth ? -1 : ComparePosting(live, truth);
                    if (order == 0)
                    {
                        hasLive = Step(live, db);
                        hasTruth = Step(truth, db);
                    }
                    else if (order < 0)
                    {
                        AddOnce(extra, raw.sqlite3_column_int64(live, 1));
                        hasLive = Step(live, db);
                    }
                    else
                    {
                        AddOnce(missing, raw.sqlite3_column_int64(truth, 1));
                        hasTruth = Step(truth, db);
                    }
                }
            }
        }

        return (extra, missing);
    }

    private static int ComparePosting(sqlite3_stmt a, sqlite3_stmt b)
    {
        var order = raw.sqlite3_column_blob(a, 0).SequenceCompareTo(raw.sqlite3_column_blob(b, 0));
        for (var col = 1; order == 0 && col < 4; col++)
        {
            order = raw.sqlite3_column_int64(a, col).CompareTo(raw.sqlite3_column_int64(b, col));
        }

        return order;
    }

    private static void AddOnce(List<long> keys, long key)
    {
        if (keys.Count < IndexAudit.RowsShown && !keys.Contains(key))
        {
            keys.Add(key);
        }
    }

    private static bool Step(sqlite3_stmt stmt, sqlite3 db)
    {
        var rc = raw.sqlite3_step(stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        Check(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc, db);
        return false;
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
