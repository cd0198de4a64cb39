using System.Text.Json.Nodes;
using Amber.Core.Cost;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>Whole-archive queries for the viewer and <c>stats</c>: dashboard series, the model list, counts and sizes.</summary>
internal sealed class DashboardQueries(ArchiveCatalogue catalogue, SegmentStore segments)
{
    /// <summary>
    /// The dashboard's series. Each is one scan of a table (conversations, commits, raw blobs), so callers
    /// should cache the result by <see cref="ArchiveDashboard.LastSequence"/> on large archives.
    /// </summary>
    public ArchiveDashboard GetDashboard()
    {
        using var c = catalogue.OpenAcknowledged();
        var conversations = new List<MonthCount>();
        var instances = new List<MonthCount>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT substr(created, 1, 7) AS m, COUNT(*), SUM(instances) FROM conversations GROUP BY m ORDER BY m";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                conversations.Add(new MonthCount(r.GetString(0), r.GetInt64(1)));
                instances.Add(new MonthCount(r.GetString(0), r.IsDBNull(2) ? 0 : r.GetInt64(2)));
            }
        }

        var stored = Series(c, "SELECT substr(time, 1, 7) AS m, SUM(length) FROM commits GROUP BY m ORDER BY m");
        var raw = Series(c, """
            SELECT substr(cm.time, 1, 7) AS m, SUM(b.size) FROM blobs b JOIN commits cm ON cm.seq = b.seq
            WHERE b.k IN (SELECT blob FROM conversation_raw) GROUP BY m ORDER BY m
            """);
        var sources = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT source, COUNT(*) FROM conversations GROUP BY source ORDER BY COUNT(*) DESC, source";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                sources[r.GetString(0)] = r.GetInt64(1);
            }
        }

        return new ArchiveDashboard(conversations, instances, stored, raw, sources, LastSequence(c));
    }

    /// <summary>The highest commit sequence number (0 for an empty archive): changes whenever anything is committed.</summary>
    public long GetLastSequence()
    {
        using var c = catalogue.OpenAcknowledged();
        return LastSequence(c);
    }

    /// <summary>The distinct display names of the stored models (what the model filter of a listing matches), sorted.</summary>
    public IReadOnlyList<string> ListModelNames()
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT name FROM models ORDER BY name";
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    /// <summary>Every stored model reference with its number of generated nodes, most used first.</summary>
    public IReadOnlyList<ModelSummary> ListModels()
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT m.id, m.record, COALESCE(t.turns, 0) AS turns
            FROM models m LEFT JOIN (SELECT model, COUNT(*) AS turns FROM nodes WHERE model IS NOT NULL GROUP BY model) t ON t.model = m.k
            ORDER BY turns DESC, m.name, m.id
            """;
        using var r = cmd.ExecuteReader();
        var list = new List<ModelSummary>();
        while (r.Read())
        {
            list.Add(new ModelSummary(IndexIds.Read(r, 0), ModelReference.FromJson((JsonObject)JsonNode.Parse(r.GetString(1))!), r.GetInt64(2)));
        }

        return list;
    }

    private static long LastSequence(SqliteConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM commits";
        return cmd.ExecuteScalar() is long l ? l : 0;
    }

    private static List<MonthCount> Series(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<MonthCount>();
        while (r.Read())
        {
            list.Add(new MonthCount(r.IsDBNull(0) ? "" : r.GetString(0), r.IsDBNull(1) ? 0 : r.GetInt64(1)));
        }

        return list;
    }

    /// <summary>One scan of the nodes, grouped by tenant, model and month of creation (see <see cref="ArchiveUsage"/>).</summary>
    public ArchiveUsage GetUsage()
    {
        using var c = catalogue.OpenAcknowledged();
        var rows = new List<UsageRow>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"""
                SELECT n.tenant, m.name, {IndexValues.MonthSql("n.created")} AS month, SUM(COALESCE(n.tokens_in, 0)), SUM(COALESCE(n.tokens_out, 0)),
                    COUNT(n.model), SUM(n.model IS NOT NULL AND n.tokens_in IS NULL AND n.tokens_out IS NULL), SUM(n.entry_length)
                FROM nodes n LEFT JOIN models m ON m.k = n.model
                GROUP BY n.tenant, m.name, month ORDER BY month, n.tenant, m.name
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows.Add(new UsageRow(
                    r.IsDBNull(0) ? UsageRow.NoTenant : r.GetString(0),
                    r.IsDBNull(1) ? UsageRow.NoModel : r.GetString(1),
                    r.IsDBNull(2) || r.GetString(2).Length < 7 ? UsageRow.Undated : r.GetString(2),
                    r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)));
            }
        }

        var (segmentBytes, externalBytes, _) = segments.Sizes();
        return new ArchiveUsage(rows, segmentBytes + externalBytes + IndexBytes(), LastSequence(c));
    }

    private long IndexBytes() => new[] { catalogue.Index.Path, catalogue.Index.Path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    /// <summary>Counts from the index and sizes from the segment store; <paramref name="lag"/> measures the index lag last.</summary>
    public ArchiveStats GetStats(Func<IndexLag> lag)
    {
        using var c = catalogue.OpenAcknowledged();
        long Scalar(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar() is long l ? l : 0;
        }

        Dictionary<string, long> Grouped(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var d = new Dictionary<string, long>(StringComparer.Ordinal);
            while (r.Read())
            {
                d[r.GetString(0)] = r.GetInt64(1);
            }

            return d;
        }

        var (segmentBytes, externalBytes, segmentCount) = segments.Sizes();
        var indexBytes = IndexBytes();
        return new ArchiveStats(
            Scalar("SELECT COUNT(*) FROM conversations"),
            Scalar("SELECT COUNT(*) FROM instances"),
            Scalar("SELECT COUNT(*) FROM nodes"),
            Scalar("SELECT COUNT(*) FROM commits"),
            Scalar("SELECT COUNT(*) FROM blobs"),
            Scalar("SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.k IN (SELECT blob FROM conversation_raw)"),
            segmentBytes + externalBytes,
            segmentBytes,
            externalBytes,
            indexBytes,
            segmentCount,
            (int)Scalar("SELECT COUNT(*) FROM dictionaries"),
            Grouped("SELECT 'T' || tier, COUNT(*) FROM instances GROUP BY tier ORDER BY tier"),
            Grouped("SELECT 'T' || tier, COUNT(*) FROM conversations GROUP BY tier ORDER BY tier"),
            Grouped("SELECT m.name, COUNT(*) FROM nodes n JOIN models m ON m.k = n.model GROUP BY m.name ORDER BY COUNT(*) DESC, m.name"))
        {
            IndexLag = lag(),
        };
    }
}
