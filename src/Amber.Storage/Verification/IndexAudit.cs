using System.Globalization;
using Amber.Storage.Index;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Verification;

/// <summary>
/// Checks every row of the index against the segments: the index is rebuilt from the segments into a scratch file
/// (by the same code that builds it on open, so the rule is written once) up to the position the live index claims,
/// and each table is compared both ways, column by column (integer keys included), inside one read snapshot of the live
/// index. The contentless full-text table is checked against the nodes' text by FTS5 (<see cref="FullTextAudit"/>), so an
/// edited search index is found as well as an edited title, model, tier, key, raw link, commit info, checkpoint or annotation.
/// </summary>
internal static class IndexAudit
{
    internal const int RowsShown = 5;

    /// <param name="archive">The archive whose index is audited.</param>
    /// <param name="report">Where its faults, notes and phases go.</param>
    /// <param name="maxFaults">Faults listed at most.</param>
    /// <param name="scanned">The frames the segment scan decodes for this audit, or null to read the segments here.</param>
    public static void Run(Archive archive, VerifyReport report, int maxFaults, ScannedFrames? scanned = null)
    {
        var time = archive.Options.TimeProvider;
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
            // main: a scratch file for the nodes' text (and, on the slow path, the index rebuilt from the segments); live:
            // the archive's index, read-only, in one snapshot whose position (read first) is where the derivation stops, so
            // a writer in another process cannot skew the two.
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FileUri(scratch), Pooling = false }.ToString());
            c.Open();
            Exec(c, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;");
            Exec(c, $"ATTACH DATABASE '{LiveUri(archive.Index.Path)}' AS live");
            Exec(c, "BEGIN");
            var position = Position(c);
            if (position is null)
            {
                Fault("the index records no position in the segments.");
                return;
            }

            var phase = time.GetTimestamp();
            var waited = TimeSpan.Zero;
            Func<IndexTable, IEnumerable<object?[]>> expected;

            // The nodes' text goes into the scratch file as the rows are derived, while the scan still runs.
            Exec(c, FullTextAudit.ScratchTextTable);
            var texts = new ScratchTextWriter(c);
            var derived = new ExpectedRows(texts.Add);
            if (scanned is not null && scanned.TryDerive(archive, derived, position.Value, out waited))
            {
                // The common case: every row derived in memory from the frames the scan decoded.
                texts.Dispose();
                expected = derived.Rows;
            }
            else
            {
                // The frames handed over are not what a rebuild reads (damage, a segment missing): the text written so
                // far is dropped, and Replay reads the segments itself into a scratch SQLite index (the same rule), from
                // a snapshot of the live index taken afresh, and names what it cannot read.
                texts.Dispose();
                Exec(c, "ROLLBACK");
                Exec(c, "BEGIN");
                position = Position(c);
                if (position is null)
                {
                    Fault("the index records no position in the segments.");
                    return;
                }

                using (var index = ArchiveIndex.OpenScratch(scratch))
                {
                    archive.Replay(index, null, new SegmentState(position.Value.Segment, position.Value.Offset, [], Sealed: false));
                }

                expected = table => ReadRows(c, "main", table);
            }

            report.Phases.Add(("index audit: of which waiting for the scan's next frame", waited));
            phase = Phase(report, time, "index audit: derive the rows from the scanned frames", phase);
            var key = new byte[16];
            archive.Options.Random(key);
            foreach (var table in IndexTables.All)
            {
                CompareTable(c, table, expected(table), key, Fault);
            }

            phase = Phase(report, time, "index audit: compare tables", phase);
            var copied = false;
            try
            {
                FullTextAudit.CopyLive(c);
                copied = true;
            }
            catch (SqliteException e)
            {
                Fault($"node_text: the full-text index cannot be read ({e.Message}); search would find the wrong messages.");
            }

            Exec(c, "COMMIT");
            phase = Phase(report, time, "index audit: copy the live full-text index", phase);
            if (copied)
            {
                FullTextAudit.Check(FileUri(scratch), Fault);
                Phase(report, time, "index audit: full-text integrity check", phase);
            }
        }
        catch (Exception e) when (e is SqliteException or CorruptArchiveException or IOException)
        {
            Fault($"could not be compared with the segments: {e.Message}");
        }
        finally
        {
            scanned?.Abandon();
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }

        if (faults > 0)
        {
            report.Notes.Add("the index disagrees with the segments; `amber index rebuild` rebuilds it from the segments.");
        }
    }

    /// <summary>Records the wall time since <paramref name="since"/> as a phase of verify; returns now.</summary>
    internal static long Phase(VerifyReport report, TimeProvider time, string name, long since)
    {
        var now = time.GetTimestamp();
        report.Phases.Add((name, time.GetElapsedTime(since, now)));
        return now;
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

    /// <summary>Every row of a table of schema <paramref name="schema"/>, with the columns of <paramref name="table"/>.</summary>
    private static List<object?[]> ReadRows(SqliteConnection c, string schema, IndexTable table)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(Quote))} FROM {schema}.{Quote(table.Name)}";
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            rows.Add(Row(r));
        }

        return rows;
    }

    private static object?[] Row(SqliteDataReader r)
    {
        var row = new object?[r.FieldCount];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
        }

        return row;
    }

    /// <summary>
    /// Compares a live table with the rows the segments give, both ways, as sets of whole rows (every column, integer keys
    /// included). First by digest (<see cref="TableDigest"/>): the same rows, in any order, and nothing more is to be
    /// said. Otherwise row by row, streaming the live rows once: a live row the segments do not give is edited or
    /// foreign, a row they give that the live table lacks is missing or held otherwise. Each is named by its first
    /// column, at most <see cref="RowsShown"/> each way.
    /// </summary>
    private static void CompareTable(SqliteConnection c, IndexTable table, IEnumerable<object?[]> expected, byte[] digestKey, Action<string> fault)
    {
        var select = $"SELECT {string.Join(", ", table.Columns.Select(Quote))} FROM live.{Quote(table.Name)}"
            + (table.Name == "meta"
                ? $" WHERE key <> '{Index.IndexCompaction.MetaKey}'" // the writer's own note of its last compaction, which no frame gives
                : "");
        try
        {
            if (TableDigest.Of(digestKey, expected) is { } want && TableDigest.OfQuery(digestKey, c, select).SameAs(want))
            {
                return;
            }
        }
        catch (SqliteException)
        {
            // the comparison below names what is wrong with the table
        }

        var truth = new HashSet<object?[]>(RowComparer.Instance);
        var ordered = new List<object?[]>();
        foreach (var row in expected)
        {
            if (truth.Add(row))
            {
                ordered.Add(row);
            }
        }

        var seen = new HashSet<object?[]>(RowComparer.Instance);
        var differs = new List<string>();
        try
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = select;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var row = Row(r);
                if (truth.Contains(row))
                {
                    seen.Add(row);
                }
                else if (differs.Count < RowsShown)
                {
                    differs.Add(KeyOf(row));
                }
            }
        }
        catch (SqliteException e)
        {
            fault($"{table.Name}: does not have the expected columns ({e.Message}).");
            return;
        }

        foreach (var key in differs)
        {
            fault($"{table.Name}: the row {key} differs from the segments (edited, or not derived from them).");
        }

        foreach (var row in ordered.Where(row => !seen.Contains(row)).Take(RowsShown))
        {
            fault($"{table.Name}: the segments give the row {KeyOf(row)}, which the index lacks or holds otherwise.");
        }
    }

    /// <summary>A row's first column (its key, in every table), for the report.</summary>
    private static string KeyOf(object?[] row) => row[0] is null ? "(null)" : Convert.ToString(row[0], CultureInfo.InvariantCulture) ?? "";

    /// <summary>The first column of the first rows a query returns: a row's key, for the report.</summary>
    internal static List<string> Keys(SqliteConnection c, string sql)
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
