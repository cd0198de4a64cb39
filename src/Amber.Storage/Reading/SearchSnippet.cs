using Amber.Storage.Index;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Reading;

/// <summary>
/// Cuts search snippets from messages' text as the segments hold it (the full-text index keeps no copy). The texts of
/// the hits are put in a throw-away in-memory FTS5 table with the index's own tokenizer, and FTS5's <c>snippet()</c>
/// marks them: the words marked are exactly those the index matched (case folding, diacritics, CJK runs, phrases),
/// with no second tokenizer to drift from SQLite's.
/// </summary>
internal static class SearchSnippet
{
    private const string Ellipsis = "…";

    /// <summary>One snippet per text, in order: a window of about <paramref name="tokens"/> words with the matches between the markers.</summary>
    public static string[] Cut(IReadOnlyList<string> texts, SearchQuery query, string open, string close, int tokens)
    {
        var snippets = new string[texts.Count];
        if (texts.Count == 0)
        {
            return snippets;
        }

        using var c = new SqliteConnection("Data Source=:memory:;Pooling=False");
        c.Open();
        using (var create = c.CreateCommand())
        {
            create.CommandText = $"CREATE VIRTUAL TABLE hit USING fts5(text, tokenize = {ArchiveIndex.Tokenizer});";
            create.ExecuteNonQuery();
        }

        using (var tx = c.BeginTransaction())
        using (var insert = c.CreateCommand())
        {
            insert.CommandText = "INSERT INTO hit(rowid, text) VALUES($r, $t)";
            var row = insert.Parameters.Add("$r", SqliteType.Integer);
            var text = insert.Parameters.Add("$t", SqliteType.Text);
            for (var i = 0; i < texts.Count; i++)
            {
                row.Value = i;
                text.Value = texts[i];
                insert.ExecuteNonQuery();
            }

            tx.Commit();
        }

        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT rowid, snippet(hit, 0, $open, $close, $more, $tokens) FROM hit WHERE hit MATCH $q";
        cmd.Parameters.AddWithValue("$open", open);
        cmd.Parameters.AddWithValue("$close", close);
        cmd.Parameters.AddWithValue("$more", Ellipsis);
        cmd.Parameters.AddWithValue("$tokens", Math.Clamp(tokens, 1, 64));
        cmd.Parameters.AddWithValue("$q", query.Match);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            snippets[r.GetInt64(0)] = r.GetString(1);
        }

        // A text the query does not match here disagrees with the index (verify reports that): show its start unmarked.
        for (var i = 0; i < snippets.Length; i++)
        {
            snippets[i] ??= texts[i].Length <= 200 ? texts[i] : texts[i][..200] + Ellipsis;
        }

        return snippets;
    }
}
