using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Amber.Storage.Segments;

namespace Amber.Storage.Catalogue;

/// <summary>Full-text search: the one query the CLI, the viewer and the API call.</summary>
internal sealed class FullTextSearch(ArchiveCatalogue catalogue, SegmentStore segments)
{
    /// <summary>
    /// Messages whose text holds every word (or "quoted phrase") of <paramref name="query"/>, best match first or, with
    /// <see cref="SearchOrder.Newest"/>, most recently archived first. Each hit's snippet is cut from the message as
    /// the segments hold it (the index keeps no copy of the text), with the matches between <paramref name="open"/> and
    /// <paramref name="close"/>, so a caller can pick markers that cannot occur in text and encode the rest. Only the
    /// best <paramref name="limit"/> messages are read, so a common word stays fast. A message in several conversations
    /// gives a hit for each (the first <paramref name="limit"/> hits in all).
    /// </summary>
    /// <param name="tenant">Only messages of this tenant's conversations (<see cref="TenantFilter"/>); null searches every tenant's.</param>
    public IReadOnlyList<SearchHit> Search(string query, int limit = 50, SearchOrder order = SearchOrder.Rank, string open = "«", string close = "»", int snippetTokens = 24, string? tenant = null)
    {
        var parsed = SearchQuery.Parse(query);
        if (parsed.IsEmpty || limit <= 0)
        {
            return [];
        }

        using var c = catalogue.OpenAcknowledged();
        using var tx = c.BeginTransaction(deferred: true);
        using var cmd = c.CreateCommand();
        // The best $n node keys first, then the joins for those alone: ranking by bm25 scores every match, which is
        // why only keys and ranks leave it. Newest walks the rowids (node keys, in archive order) down and stops at $n.
        // A tenant's search filters inside the top $n, so its hits are not crowded out by other tenants' messages.
        var scoped = tenant is null ? "" : " AND " + TenantFilter.Node("node_text.rowid");
        var top = order == SearchOrder.Newest
            ? $"SELECT rowid AS r, rank AS k FROM node_text WHERE node_text MATCH $q{scoped} ORDER BY rowid DESC LIMIT $n"
            : $"SELECT rowid AS r, rank AS k FROM node_text WHERE node_text MATCH $q{scoped} ORDER BY rank LIMIT $n";
        cmd.CommandText = $"""
            WITH top AS ({top})
            SELECT cv.id, cv.title, n.id, n.segment, n.offset, n.entry_offset, n.entry_length, top.k
            FROM top JOIN nodes n ON n.k = top.r JOIN conversation_nodes cn ON cn.node = top.r JOIN conversations cv ON cv.k = cn.conversation
            {(tenant is null ? "" : "WHERE " + TenantFilter.Conversation("cv.k"))}
            ORDER BY {(order == SearchOrder.Newest ? "top.r DESC" : "top.k, top.r DESC")}, cv.created DESC, cv.k DESC LIMIT $n
            """;
        cmd.Parameters.AddWithValue("$q", parsed.Match);
        cmd.Parameters.AddWithValue("$n", limit);
        if (tenant is not null)
        {
            cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        }

        var rows = new List<(string Conversation, string? Title, string Node, (uint, long, int, int) At, double Rank)>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                rows.Add((IndexIds.Read(r, 0), r.IsDBNull(1) ? null : r.GetString(1), IndexIds.Read(r, 2),
                    ((uint)r.GetInt64(3), r.GetInt64(4), r.GetInt32(5), r.GetInt32(6)), r.GetDouble(7)));
            }
        }

        tx.Commit();
        var nodes = new Dictionary<string, (Node Node, int Text)>(StringComparer.Ordinal);
        var texts = new List<string>();
        foreach (var row in rows)
        {
            if (!nodes.ContainsKey(row.Node))
            {
                var (segment, offset, entryOffset, entryLength) = row.At;
                var node = Node.FromStoredBytes(segments.ReadEntry(segment, offset, entryOffset, entryLength).Span);
                nodes[row.Node] = (node, texts.Count);
                texts.Add(node.SearchText);
            }
        }

        var snippets = SearchSnippet.Cut(texts, parsed, open, close, snippetTokens);
        var hits = new List<SearchHit>(rows.Count);
        foreach (var row in rows)
        {
            var (node, text) = nodes[row.Node];
            hits.Add(new SearchHit(row.Conversation, row.Title, row.Node, node.Role, snippets[text], row.Rank));
        }

        return hits;
    }
}
