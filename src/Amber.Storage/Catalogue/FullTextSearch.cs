using System.Globalization;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>Full-text search: the one query the CLI, the viewer and the API call.</summary>
internal sealed class FullTextSearch(ArchiveCatalogue catalogue, SegmentStore segments)
{
    /// <summary>Ranked search re-scores this many times the limit (at least <see cref="MinimumPool"/>) of the best candidates with their words' counts.</summary>
    internal const int PoolPerHit = 4;

    internal const int MinimumPool = 100;

    /// <summary>
    /// Messages whose text holds every word (or "quoted phrase") of <paramref name="query"/>, best match first or, with
    /// <see cref="SearchOrder.Newest"/>, most recently archived first. Each hit's snippet is cut from the message as
    /// the segments hold it (the index keeps no copy of the text), with the matches between <paramref name="open"/> and
    /// <paramref name="close"/>, so a caller can pick markers that cannot occur in text and encode the rest. Only the
    /// best <paramref name="limit"/> messages are read, so a common word stays fast. A message in several conversations
    /// gives a hit for each (the first <paramref name="limit"/> hits in all).
    /// </summary>
    /// <remarks>
    /// The index records which messages hold a word, not where or how often (FTS5 <c>detail=none</c>), so a phrase is
    /// looked up as its words and confirmed in the candidates' text, and ranking runs in two passes: every match by BM25
    /// with each word counted once (of which only the message's length varies: the shortest first), then the best
    /// <see cref="PoolPerHit"/> × <paramref name="limit"/> re-scored by BM25 with each word's count in their text.
    /// </remarks>
    /// <param name="tenant">Only messages of this tenant's conversations (<see cref="TenantFilter"/>); null searches every tenant's.</param>
    public IReadOnlyList<SearchHit> Search(string query, int limit = 50, SearchOrder order = SearchOrder.Rank, string open = "«", string close = "»", int snippetTokens = 24, string? tenant = null)
    {
        var parsed = SearchQuery.Parse(query);
        if (parsed.IsEmpty || limit <= 0)
        {
            return [];
        }

        // First the wait for every acknowledged commit: indexing them may make the index key a tenant's words are hashed under.
        using var c = catalogue.OpenAcknowledged();
        using var texts = new HitTexts();
        var phraseWords = texts.Tokenize(parsed.Phrases);
        var words = phraseWords.SelectMany(w => w).Distinct(StringComparer.Ordinal).ToArray();
        string match;
        bool confirm;
        Func<string, IEnumerable<string>>? termsOf = null;
        if (catalogue.Cipher is { } cipher)
        {
            // An encrypted archive's index holds keyed hashes of words, per tenant (IndexCipher): the query's words are
            // hashed under each searched tenant's index key, and every candidate is confirmed in its decrypted text (a
            // phrase, and the rare 64-bit hash that two words share).
            if (phraseWords.Any(w => w.Length == 0))
            {
                return []; // a phrase of punctuation alone matches nothing
            }

            var terms = (tenant is null ? cipher.Tenants() : [tenant])
                .Select(t => words.ToDictionary(w => w, w => cipher.Term(w, t), StringComparer.Ordinal))
                .Where(m => m.Values.All(v => v is not null))
                .ToList();
            if (terms.Count == 0)
            {
                return [];
            }

            match = string.Join(" OR ", terms.Select(m => "(" + string.Join(' ', words.Select(w => Quote(m[w]!))) + ")"));
            confirm = true;
            termsOf = w => terms.Select(m => m[w]!);
        }
        else
        {
            // Each phrase of several words becomes those words (detail=none has no positions); a phrase of one word or of
            // none stays as typed, so FTS5 treats it as before (a phrase of punctuation alone matches nothing).
            match = string.Join(' ', parsed.Phrases.Select((p, i) => phraseWords[i].Length <= 1 ? Quote(p) : string.Join(' ', phraseWords[i].Select(Quote))));
            confirm = phraseWords.Any(w => w.Length > 1);
        }

        var wanted = order == SearchOrder.Newest ? limit : Math.Max(limit * PoolPerHit, MinimumPool);

        using (var view = c.CreateCommand())
        {
            view.CommandText = SearchScore.WordsView;
            view.ExecuteNonQuery();
        }

        List<Candidate> found = [];
        SearchScore score;
        List<(long Node, string Conversation, string? Title)> memberships;
        using (var tx = c.BeginTransaction(deferred: true))
        {
            score = SearchScore.Read(c, words, termsOf);
            // Newest walks the rowids (node keys, in archive order) down; ranked takes the shortest matches first (their
            // BM25 with each word counted once). Candidates are read in batches until enough are confirmed.
            for (var offset = 0; found.Count < wanted; offset += wanted)
            {
                var batch = Candidates(c, match, order == SearchOrder.Newest, wanted, offset, tenant);
                var first = texts.Add([.. batch.Select(b => b.Text)]);
                var matching = confirm ? texts.Matching(parsed, first) : null;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (matching is null || matching.Contains(first + i))
                    {
                        found.Add(batch[i] with { Row = first + i });
                    }
                }

                if (batch.Count < wanted)
                {
                    break;
                }
            }

            var counts = words.ToDictionary(w => w, texts.Counts, StringComparer.Ordinal);
            found = [.. found.Select(f => f with { Score = score.Of(f.Length, w => counts[w].GetValueOrDefault(f.Row)) })];
            found = order == SearchOrder.Newest
                ? [.. found.Take(limit)]
                : [.. found.OrderByDescending(f => f.Score).ThenByDescending(f => f.Key).Take(limit)];
            memberships = Memberships(c, found, tenant, catalogue);
            tx.Commit();
        }

        var snippets = texts.Snippets([.. found.Select(f => f.Row)], parsed, open, close, snippetTokens);
        var byKey = found.ToDictionary(f => f.Key);
        var hits = new List<SearchHit>(Math.Min(limit, memberships.Count));
        foreach (var (node, conversation, title) in memberships.Take(limit))
        {
            var f = byKey[node];
            // Lower is better, as FTS5's rank: the hits' order in both orders reads the same way.
            hits.Add(new SearchHit(conversation, title, f.Id, f.Role, snippets[f.Row], -f.Score));
        }

        return hits;
    }

    private static string Quote(string phrase) => "\"" + phrase.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A batch of matching messages, with their text read from the segments.</summary>
    private List<Candidate> Candidates(SqliteConnection c, string match, bool newest, int count, int offset, string? tenant)
    {
        using var cmd = c.CreateCommand();
        // The top keys first, then the node rows for those alone: the sort visits every match. A tenant's search
        // filters inside the top keys, so its hits are not crowded out by other tenants' messages.
        var scoped = tenant is null ? "" : " AND " + TenantFilter.Node("m.rowid");
        cmd.CommandText = $"""
            WITH top AS (SELECT m.rowid AS r, d.sz AS sz FROM node_text m JOIN node_text_docsize d ON d.id = m.rowid
                WHERE node_text MATCH $q{scoped} ORDER BY {(newest ? "m.rowid DESC" : "length(d.sz), d.sz, m.rowid DESC")} LIMIT $n OFFSET $o)
            SELECT top.r, top.sz, n.id, n.segment, n.offset, n.entry_offset, n.entry_length FROM top JOIN nodes n ON n.k = top.r
            """;
        cmd.Parameters.AddWithValue("$q", match);
        cmd.Parameters.AddWithValue("$n", count);
        cmd.Parameters.AddWithValue("$o", offset);
        if (tenant is not null)
        {
            cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        }

        var rows = new List<(long Key, long Length, string Id, (uint, long, int, int) At)>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                rows.Add((r.GetInt64(0), SearchScore.Length((byte[])r[1]), IndexIds.Read(r, 2), ((uint)r.GetInt64(3), r.GetInt64(4), r.GetInt32(5), r.GetInt32(6))));
            }
        }

        // The join does not keep the sort's order; the keys do (newest: descending; ranked: re-sorted after scoring).
        // (Within one varint length, docsize's bytes sort as the number they encode, so the SQL order is by length.)
        var sorted = newest ? rows.OrderByDescending(x => x.Key) : rows.OrderBy(x => x.Length).ThenByDescending(x => x.Key);
        return [.. sorted.Select(x =>
        {
            var (segment, at, entryOffset, entryLength) = x.At;
            var node = Node.FromStoredBytes(segments.ReadEntry(segment, at, entryOffset, entryLength).Span);
            return new Candidate(x.Key, x.Id, node.Role, node.SearchText, x.Length, 0, 0);
        })];
    }

    /// <summary>The conversations holding each hit, in the hits' order, then newest conversation first.</summary>
    private static List<(long Node, string Conversation, string? Title)> Memberships(SqliteConnection c, List<Candidate> hits, string? tenant, ArchiveCatalogue catalogue)
    {
        var rows = new List<(long Node, string Conversation, string? Title)>();
        if (hits.Count == 0)
        {
            return rows;
        }

        using var cmd = c.CreateCommand();
        // Node keys are integers read from the index, so they can be written into the statement.
        cmd.CommandText = $"""
            SELECT cn.node, cv.id, cv.title FROM conversation_nodes cn JOIN conversations cv ON cv.k = cn.conversation
            WHERE cn.node IN ({string.Join(',', hits.Select(h => h.Key.ToString(CultureInfo.InvariantCulture)))}){(tenant is null ? "" : " AND " + TenantFilter.Conversation("cv.k"))}
            ORDER BY cv.created DESC, cv.k DESC
            """;
        if (tenant is not null)
        {
            cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        }

        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var conversation = IndexIds.Read(r, 1);
                rows.Add((r.GetInt64(0), conversation, catalogue.Title(r.IsDBNull(2) ? null : r.GetValue(2), conversation)));
            }
        }

        var position = hits.Select((h, i) => (h.Key, i)).ToDictionary(x => x.Key, x => x.i);
        return [.. rows.OrderBy(x => position[x.Node])]; // a stable sort: within a node, the conversations' order stays
    }

    /// <param name="Key">The node's key (the FTS rowid).</param>
    /// <param name="Row">Its row among the <see cref="HitTexts"/>.</param>
    private sealed record Candidate(long Key, string Id, string Role, string Text, long Length, int Row, double Score);
}
