using System.Globalization;
using Amber.Storage.Index;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Amber.Storage.Verification;

/// <summary>
/// Checks every row of the index against the segments: the index is rebuilt from the segments into a scratch file
/// (by the same code that builds it on open, so the rule is written once) up to the position the live index claims,
/// and each table is compared both ways, column by column (integer keys included), inside one read snapshot of the live
/// index. The contentless full-text table is compared by its postings and checked by FTS5's integrity check, so an
/// edited search index is found as well as an edited title, model, tier, key, raw link, commit info, checkpoint or annotation.
/// </summary>
internal static class IndexAudit
{
    private const int RowsShown = 5;

    public static void Run(Archive archive, VerifyReport report, int maxFaults)
    {
        var faults = 0;
        void Fault(string f)
        {
            if (faults++ < maxFaults)
            {
                report.Faults.Add("index: " + f);
            }
        }

        var folder = System.IO.Directory.CreateTempSubdirectory("amber-verify-");
        var scratch = System.IO.Path.Combine(folder.FullName, "index.db");
        try
        {
            // main: the index rebuilt from the segments; live: the archive's index, read-only, in one snapshot whose
            // position (read first) is where the rebuild stops, so a writer in another process cannot skew the two.
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FileUri(scratch), Pooling = false }.ToString());
            c.Open();
            Exec(c, $"ATTACH DATABASE '{LiveUri(archive.Index.Path)}' AS live");
            Exec(c, "BEGIN");
            var position = Position(c);
            if (position is null)
            {
                Fault("the index records no position in the segments.");
                return;
            }

            using (var derived = ArchiveIndex.OpenScratch(scratch))
            {
                archive.Replay(derived, null, new SegmentState(position.Value.Segment, position.Value.Offset, [], Sealed: false));
            }

            foreach (var table in Tables(c))
            {
                CompareTable(c, table, Fault);
            }

            try
            {
                CompareFullText(c, Fault);
            }
            catch (SqliteException e)
            {
                Fault($"node_text: the full-text index cannot be read ({e.Message}); search would find the wrong messages.");
            }
            Exec(c, "COMMIT");
            CheckPostings(archive.Index.Path, Fault, report);
        }
        catch (Exception e) when (e is SqliteException or CorruptArchiveException or IOException)
        {
            Fault($"could not be compared with the segments: {e.Message}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }

        if (faults > 0)
        {
            report.Notes.Add("the index disagrees with the segments; `amber index rebuild` rebuilds it from the segments.");
        }
    }

    private static (uint Segment, long Offset)? Position(SqliteConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT value FROM live.meta WHERE key = 'position'";
        if (cmd.ExecuteScalar() is not string p || p.Split(':') is not [var s, var o]
            || !uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seg)
            || !long.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var off))
        {
            return null;
        }

        return (seg, off);
    }

    /// <summary>The ordinary tables of the derived schema (the full-text table and its shadow tables are compared apart).</summary>
    private static List<(string Name, List<string> Columns)> Tables(SqliteConnection c)
    {
        var names = new List<string>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'node_text%' ORDER BY name";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                names.Add(r.GetString(0));
            }
        }

        var tables = new List<(string, List<string>)>();
        foreach (var name in names)
        {
            var columns = new List<string>();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT name FROM pragma_table_info('{name}', 'main') ORDER BY cid";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                columns.Add(r.GetString(0));
            }

            tables.Add((name, columns));
        }

        return tables;
    }

    private static void CompareTable(SqliteConnection c, (string Name, List<string> Columns) table, Action<string> fault)
    {
        var cols = string.Join(", ", table.Columns.Select(Quote));
        var from = $"live.{Quote(table.Name)}";
        var truth = $"main.{Quote(table.Name)}";
        try
        {
            foreach (var key in Keys(c, $"SELECT {cols} FROM {from} EXCEPT SELECT {cols} FROM {truth}"))
            {
                fault($"{table.Name}: the row {key} differs from the segments (edited, or not derived from them).");
            }

            foreach (var key in Keys(c, $"SELECT {cols} FROM {truth} EXCEPT SELECT {cols} FROM {from}"))
            {
                fault($"{table.Name}: the segments give the row {key}, which the index lacks or holds otherwise.");
            }
        }
        catch (SqliteException e)
        {
            fault($"{table.Name}: does not have the expected columns ({e.Message}).");
        }
    }

    /// <summary>
    /// The full-text index keeps no text, so its postings are compared instead: every (term, node key, column,
    /// position) of the live index against those the rebuild derived from the nodes in the segments (FTS5's
    /// <c>fts5vocab</c> instance view), and each node's token count (which ranking reads). Both views list the
    /// postings in the same order, so they are merged in one pass over each (<see cref="DifferingPostings"/>), with no
    /// temporary B-tree over every token (an <c>EXCEPT</c> of the two took verify from 5 s to 10 s on the corpus). A
    /// changed, missing or extra row shows as postings one side lacks; FTS5's integrity check then checks the live
    /// index's own structure (<see cref="CheckPostings"/>).
    /// </summary>
    private static void CompareFullText(SqliteConnection c, Action<string> fault)
    {
        Exec(c, "CREATE VIRTUAL TABLE temp.live_postings USING fts5vocab(live, node_text, instance)");
        Exec(c, "CREATE VIRTUAL TABLE temp.true_postings USING fts5vocab(main, node_text, instance)");
        try
        {
            var (extra, missing) = DifferingPostings(c);
            foreach (var key in extra)
            {
                fault($"node_text: the search postings of node key {key} are not derived from that node's text in the segments (edited, or not its text).");
            }

            foreach (var key in missing)
            {
                fault($"node_text: the search postings of node key {key} are missing or differ from that node's text in the segments.");
            }

            const string Sizes = "SELECT id, sz FROM {0}.node_text_docsize";
            var liveSizes = string.Format(CultureInfo.InvariantCulture, Sizes, "live");
            var trueSizes = string.Format(CultureInfo.InvariantCulture, Sizes, "main");
            foreach (var key in Keys(c, $"SELECT * FROM ({liveSizes} EXCEPT {trueSizes}) UNION SELECT * FROM ({trueSizes} EXCEPT {liveSizes})"))
            {
                fault($"node_text: the token count of node key {key} differs from that node's text in the segments (ranking reads it).");
            }
        }
        finally
        {
            Exec(c, "DROP TABLE temp.live_postings");
            Exec(c, "DROP TABLE temp.true_postings");
        }
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
                while ((hasLive || hasTruth) && (extra.Count < RowsShown || missing.Count < RowsShown))
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
        if (keys.Count < RowsShown && !keys.Contains(key))
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

    /// <summary>
    /// FTS5's own integrity check: every posting of the live full-text index against the text it indexes (so an edited
    /// search index is found, not only edited text). SQLite runs it as an INSERT, so it needs a connection that may
    /// write; it changes nothing.
    /// </summary>
    private static void CheckPostings(string indexPath, Action<string> fault, VerifyReport report)
    {
        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath, Pooling = false, DefaultTimeout = 30 }.ToString());
            c.Open();
            Exec(c, "INSERT INTO node_text(node_text, rank) VALUES('integrity-check', 1)");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 267 /* SQLITE_CORRUPT_VTAB */ || e.SqliteErrorCode == 11 /* SQLITE_CORRUPT */)
        {
            fault($"node_text: the full-text postings disagree with the text they index ({e.Message}); search would find the wrong messages.");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 8 /* SQLITE_READONLY */)
        {
            report.Notes.Add($"the full-text postings were not checked: {indexPath} cannot be opened for writing, which SQLite's FTS5 integrity check needs.");
        }
    }

    /// <summary>The first column of the first rows a query returns: a row's key, for the report.</summary>
    private static List<string> Keys(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT * FROM ({sql}) LIMIT {RowsShown}";
        using var r = cmd.ExecuteReader();
        var keys = new List<string>();
        while (r.Read())
        {
            keys.Add(r.IsDBNull(0) ? "(null)" : Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture) ?? "");
        }

        return keys;
    }

    /// <summary>A read-only URI for ATTACH, so verify never writes to the archive's index.</summary>
    private static string LiveUri(string path) => FileUri(path).Replace("'", "''", StringComparison.Ordinal) + "?mode=ro";

    /// <summary>An SQLite URI filename (a data source starting "file:" also turns URIs on for ATTACH).</summary>
    private static string FileUri(string path)
        => "file:" + Uri.EscapeDataString(System.IO.Path.GetFullPath(path)).Replace("%2F", "/", StringComparison.Ordinal);

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
