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

            var phase = time.GetTimestamp();
            using (var derived = ArchiveIndex.OpenScratch(scratch))
            {
                var waited = TimeSpan.Zero;
                if (scanned is null || !scanned.TryIndex(archive, derived, position.Value, out waited))
                {
                    archive.Replay(derived, null, new SegmentState(position.Value.Segment, position.Value.Offset, [], Sealed: false));
                }

                report.Phases.Add(("index audit: of which waiting for the scan's next frame", waited));
            }

            phase = Phase(report, time, "index audit: rebuild from the scanned frames (no full-text work)", phase);
            foreach (var table in Tables(c))
            {
                CompareTable(c, table, Fault);
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
        if (table.Name == "meta")
        {
            // The writer's own bookkeeping of when it last compacted the file, which no frame gives (IndexCompaction).
            from += $" WHERE key <> '{Index.IndexCompaction.MetaKey}'";
            truth += $" WHERE key <> '{Index.IndexCompaction.MetaKey}'";
        }

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
