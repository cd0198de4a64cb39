using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>The conversation queries: the one list query (keyset paging), summaries, instances, a whole conversation and its annotations.</summary>
internal sealed class ConversationQueries(ArchiveCatalogue catalogue, SegmentStore segments)
{
    /// <summary>
    /// The one conversation list query (<c>Archive.ListConversations</c> is this): newest first by (created, key). The
    /// cursor is a row-value comparison, <c>(created, k) &lt; (…)</c>, which SQLite turns into a range on the
    /// (created DESC, k DESC) index: a page costs the same at the millionth conversation as at the first (no OFFSET,
    /// no COUNT). The cursor's id is the last conversation seen; conversations created at the same instant follow
    /// archive order, newest first.
    /// </summary>
    public IReadOnlyList<ConversationSummary> PageConversations(int limit = 50, ConversationFilter? filter = null, (string Created, string Id)? before = null)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        var where = new List<string>();
        if (before is { } b)
        {
            where.Add("(created, k) < ($bc, COALESCE((SELECT k FROM conversations WHERE id = $bi), 0))");
            cmd.Parameters.AddWithValue("$bc", b.Created);
            cmd.Parameters.AddWithValue("$bi", Amber.Storage.Index.IndexIds.ToKey(b.Id));
        }

        AddFilter(cmd, where, filter);
        cmd.CommandText = $"SELECT {SummaryColumns} FROM conversations INDEXED BY conversations_created {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY created DESC, k DESC LIMIT $n";
        cmd.Parameters.AddWithValue("$n", limit);
        return ReadSummaries(cmd);
    }

    /// <summary>Adds a conversation filter's conditions (model, source or format, tier, created range, tenant) to a list query.</summary>
    private static void AddFilter(SqliteCommand cmd, List<string> where, ConversationFilter? filter)
    {
        if (filter?.Model is { } model)
        {
            where.Add("EXISTS (SELECT 1 FROM json_each(conversations.models) WHERE value = $model)");
            cmd.Parameters.AddWithValue("$model", model);
        }

        if (filter?.Source is { } source)
        {
            where.Add("(source = $source OR format = $source)");
            cmd.Parameters.AddWithValue("$source", source);
        }

        if (filter?.Tier is { } tier)
        {
            where.Add("tier = $tier");
            cmd.Parameters.AddWithValue("$tier", (long)tier);
        }

        if (filter?.From is { } from)
        {
            where.Add("created >= $from");
            cmd.Parameters.AddWithValue("$from", from);
        }

        if (filter?.To is { } to)
        {
            where.Add("created < $to");
            cmd.Parameters.AddWithValue("$to", to);
        }

        if (filter?.Tenant is { } tenant)
        {
            where.Add(TenantFilter.Conversation("conversations.k"));
            cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        }
    }

    private const string SummaryColumns = "id, source, format, source_id, title, nodes, instances, models, tier, created, updated, raw_bytes";

    private List<ConversationSummary> ReadSummaries(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<ConversationSummary>();
        while (r.Read())
        {
            list.Add(ReadSummary(r));
        }

        return list;
    }

    /// <summary>The summary in the current row, whose first columns are <see cref="SummaryColumns"/>.</summary>
    private ConversationSummary ReadSummary(SqliteDataReader r)
    {
        var id = IndexIds.Read(r, 0);
        return new(
            id, r.GetString(1), r.GetString(2), IndexValues.SourceId(r, 3), catalogue.Title(r.IsDBNull(4) ? null : r.GetValue(4), id),
            r.GetInt32(5), r.GetInt32(6), JsonSerializer.Deserialize<List<string>>(r.GetString(7)) ?? [],
            "T" + r.GetInt32(8), r.GetString(9), IndexValues.Time(r, 10)!, r.GetInt64(11));
    }

    public ConversationSummary? GetSummary(string conversationId)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {SummaryColumns} FROM conversations WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(conversationId));
        return ReadSummaries(cmd).FirstOrDefault();
    }

    /// <summary>Instances (root-to-leaf paths), newest conversations first.</summary>
    public IReadOnlyList<InstanceSummary> ListInstances(int limit = 50, string? conversationId = null)
    {
        using var c = catalogue.OpenAcknowledged();
        return QueryInstances(c, limit, conversationId);
    }

    private List<InstanceSummary> QueryInstances(SqliteConnection c, int limit, string? conversationId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT n.id, c.id, c.title, i.depth, i.tier, n.created, c.created
            FROM instances i JOIN conversations c ON c.k = i.conversation JOIN nodes n ON n.k = i.leaf
            {(conversationId is null ? "" : "WHERE i.conversation = (SELECT k FROM conversations WHERE id = $conv)")}
            ORDER BY c.created DESC, c.k DESC, n.created, n.id LIMIT $n
            """;
        if (conversationId is not null)
        {
            cmd.Parameters.AddWithValue("$conv", IndexIds.ToKey(conversationId));
        }

        cmd.Parameters.AddWithValue("$n", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<InstanceSummary>();
        while (r.Read())
        {
            var conversation = IndexIds.Read(r, 1);
            list.Add(new InstanceSummary(IndexIds.Read(r, 0), conversation, catalogue.Title(r.IsDBNull(2) ? null : r.GetValue(2), conversation), r.GetInt32(3), "T" + r.GetInt32(4), IndexValues.Time(r, 5) ?? r.GetString(6)));
        }

        return list;
    }

    /// <summary>
    /// The whole conversation: summary, record, every node as a tree, instances, raw blob ids and the model
    /// references its nodes name. One connection and one read transaction, so every part comes from the same
    /// state of the index; each commit frame is fetched once for all the nodes it holds.
    /// </summary>
    public ConversationView? GetConversation(string conversationId)
    {
        using var c = catalogue.OpenAcknowledged();
        using var tx = c.BeginTransaction(deferred: true);
        ConversationSummary summary;
        ConversationRecord record;
        long key;
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"SELECT {SummaryColumns}, segment, offset, entry_offset, entry_length, k FROM conversations WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(conversationId));
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            summary = ReadSummary(r);
            record = RecordAt(r, 12);
            key = r.GetInt64(16);
        }

        var locations = NodeLocations.Query(c, key, summary.Nodes);
        var nodes = new List<KeyValuePair<string, Node>>(locations.Count);
        byte[]? payload = null;
        (uint, long) frame = default;
        foreach (var n in locations)
        {
            if (payload is null || frame != (n.Segment, n.Offset))
            {
                frame = (n.Segment, n.Offset);
                payload = segments.ReadDecodedFrame(n.Segment, n.Offset);
            }

            segments.ThrowIfLocked(n.Segment, n.Offset, n.EntryOffset);

            nodes.Add(new(n.Id, Node.FromStoredBytes(SegmentStore.EntryOf(payload, n.Segment, n.Offset, n.EntryOffset, n.EntryLength).Span)));
        }

        var raw = new List<string>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT b.id FROM conversation_raw cr JOIN blobs b ON b.k = cr.blob WHERE cr.conversation = $k ORDER BY cr.seq, b.id";
            cmd.Parameters.AddWithValue("$k", key);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                raw.Add(IndexIds.Read(r, 0));
            }
        }

        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT record FROM models WHERE id = $id";
            var id = cmd.Parameters.Add("$id", SqliteType.Blob);
            foreach (var m in nodes.Select(n => n.Value.Generation?.Model).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                id.Value = IndexIds.ToKey(m);
                if (cmd.ExecuteScalar() is string json)
                {
                    models[m] = ModelReference.FromJson((JsonObject)JsonNode.Parse(json)!);
                }
            }
        }

        var instances = QueryInstances(c, int.MaxValue, conversationId);
        tx.Commit();
        return new ConversationView(summary, record, new ConversationTree(nodes), instances, raw, models);
    }

    /// <summary>A conversation's stored record (the newest one written), without loading its tree. Does not wait for the indexer: it takes the indexed view (see <see cref="ContentQueries.FindNodeByKey"/>).</summary>
    public ConversationRecord? GetConversationRecord(string conversationId)
    {
        if (catalogue.Unindexed.Record(conversationId) is { } pending)
        {
            return ConversationRecord.FromJson((JsonObject)JsonNode.Parse(pending)!);
        }

        using var c = catalogue.OpenIndexed();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT segment, offset, entry_offset, entry_length FROM conversations WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(conversationId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? RecordAt(r, 0) : null;
    }

    /// <summary>The conversations a node belongs to, in id order. Does not wait for the indexer: it takes the indexed view (see <see cref="ContentQueries.FindNodeByKey"/>).</summary>
    public IReadOnlyList<string> ConversationsOf(string nodeId)
    {
        var found = new SortedSet<string>(catalogue.Unindexed.ConversationsOf(nodeId), StringComparer.Ordinal);
        using var c = catalogue.OpenIndexed();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT c.id FROM conversation_nodes cn JOIN conversations c ON c.k = cn.conversation WHERE cn.node = (SELECT k FROM nodes WHERE " + IndexIds.IdIs("nodes", "$n") + ")";
        cmd.Parameters.AddWithValue("$n", IndexIds.ToKey(nodeId));
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            found.Add(IndexIds.Read(r, 0));
        }

        return [.. found];
    }

    /// <summary>The conversation record whose location (segment, offset, entry offset, entry length) starts at column <paramref name="first"/>: the index keeps where it is, not a copy.</summary>
    private ConversationRecord RecordAt(SqliteDataReader r, int first)
        => ConversationRecord.FromJson((JsonObject)JsonNode.Parse(segments.ReadEntry((uint)r.GetInt64(first), r.GetInt64(first + 1), r.GetInt32(first + 2), r.GetInt32(first + 3)).Span)!);

    /// <summary>
    /// Every annotation about a conversation or any of its nodes, in one query (the conversation page shows
    /// them beside what they are about), oldest first.
    /// </summary>
    public IReadOnlyList<Annotation> GetConversationAnnotations(string conversationId)
    {
        using var c = catalogue.OpenAcknowledged();
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
}
