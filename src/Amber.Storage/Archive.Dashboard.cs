using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Amber.Storage;

/// <summary>Read queries for the web viewer: dashboard series, the model list, and search hits with caller-chosen markers.</summary>
public sealed partial class Archive
{
    /// <summary>
    /// The dashboard's series. Each is one scan of a table (conversations, commits, raw blobs), so callers
    /// should cache the result by <see cref="ArchiveDashboard.LastSequence"/> on large archives.
    /// </summary>
    public ArchiveDashboard GetDashboard()
    {
        using var c = OpenIndexForRead();
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
        using var c = OpenIndexForRead();
        return LastSequence(c);
    }

    /// <summary>The distinct display names of the stored models (what the model filter of a listing matches), sorted.</summary>
    public IReadOnlyList<string> ListModelNames()
    {
        using var c = OpenIndexForRead();
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
        using var c = OpenIndexForRead();
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

    /// <summary>
    /// Every annotation about a conversation or any of its nodes, in one query (the conversation page shows
    /// them beside what they are about), oldest first.
    /// </summary>
    public IReadOnlyList<Annotation> GetConversationAnnotations(string conversationId)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT a.record, a.created, a.seq, a.id FROM conversation_nodes cn JOIN nodes n ON n.k = cn.node JOIN annotations a ON a.target = n.id
            WHERE cn.conversation = (SELECT k FROM conversations WHERE id = $c)
            UNION ALL
            SELECT record, created, seq, id FROM annotations WHERE target = $c
            ORDER BY 2, 3, 4
            """;
        cmd.Parameters.AddWithValue("$c", IndexIds.ToKey(conversationId));
        using var r = cmd.ExecuteReader();
        var list = new List<Annotation>();
        while (r.Read())
        {
            list.Add(Annotation.FromJson((JsonObject)JsonNode.Parse(r.GetString(0))!));
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
}
