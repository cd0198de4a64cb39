using System.Globalization;
using Amber.Storage.Index;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Reading;

/// <summary>
/// The texts of a search's candidate messages, as the segments hold them, in a throw-away in-memory FTS5 table with the
/// index's own tokenizer and every word position (<c>detail=full</c>, with the text). The index keeps only which messages
/// hold a word (<c>detail=none</c>: no positions, no text), so this table is where a query's words are tokenized, a
/// quoted phrase is confirmed, each word's count in a message is read for ranking, and snippets are cut: all by FTS5
/// itself, so the words counted and marked are exactly those the index matched (case folding, diacritics, CJK runs),
/// with no second tokenizer to drift from SQLite's.
/// </summary>
internal sealed class HitTexts : IDisposable
{
    private const string Ellipsis = "…";
    private readonly SqliteConnection c;
    private readonly List<string> texts = [];

    public HitTexts()
    {
        c = new SqliteConnection("Data Source=:memory:;Pooling=False");
        c.Open();
        using var create = c.CreateCommand();
        create.CommandText = $"""
            CREATE VIRTUAL TABLE hit USING fts5(text, tokenize = {ArchiveIndex.Tokenizer});
            CREATE VIRTUAL TABLE hit_words USING fts5vocab(hit, instance);
            """;
        create.ExecuteNonQuery();
    }

    /// <summary>The texts added so far, by row.</summary>
    public IReadOnlyList<string> Texts => texts;

    /// <summary>The words of each phrase, in order, as the index's tokenizer cuts and folds them (none for a phrase of punctuation only).</summary>
    public string[][] Tokenize(IReadOnlyList<string> phrases)
    {
        using var t = new SqliteConnection("Data Source=:memory:;Pooling=False");
        t.Open();
        using (var create = t.CreateCommand())
        {
            create.CommandText = $"""
                CREATE VIRTUAL TABLE q USING fts5(text, tokenize = {ArchiveIndex.Tokenizer});
                CREATE VIRTUAL TABLE q_words USING fts5vocab(q, instance);
                """;
            create.ExecuteNonQuery();
        }

        Insert(t, "q", phrases, 0);
        var words = phrases.Select(_ => new List<(long Offset, string Word)>()).ToArray();
        using var cmd = t.CreateCommand();
        cmd.CommandText = "SELECT doc, offset, term FROM q_words";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            words[r.GetInt64(0)].Add((r.GetInt64(1), r.GetString(2)));
        }

        return [.. words.Select(w => w.OrderBy(x => x.Offset).Select(x => x.Word).ToArray())];
    }

    /// <summary>Adds texts as the next rows; returns the row of the first.</summary>
    public int Add(IReadOnlyList<string> more)
    {
        var first = texts.Count;
        Insert(c, "hit", more, first);
        texts.AddRange(more);
        return first;
    }

    /// <summary>The rows from <paramref name="from"/> on that the query matches, phrases included (in order).</summary>
    public HashSet<int> Matching(SearchQuery query, int from)
    {
        var rows = new HashSet<int>();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT rowid FROM hit WHERE hit MATCH $q AND rowid >= $from";
        cmd.Parameters.AddWithValue("$q", query.Match);
        cmd.Parameters.AddWithValue("$from", from);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            rows.Add(checked((int)r.GetInt64(0)));
        }

        return rows;
    }

    /// <summary>How often <paramref name="word"/> (a token, as <see cref="Tokenize"/> gives it) occurs in each row that holds it.</summary>
    public Dictionary<int, int> Counts(string word)
    {
        var counts = new Dictionary<int, int>();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT doc, count(*) FROM hit_words WHERE term = $w GROUP BY doc";
        cmd.Parameters.AddWithValue("$w", word);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            counts[checked((int)r.GetInt64(0))] = r.GetInt32(1);
        }

        return counts;
    }

    /// <summary>
    /// A snippet for each of <paramref name="rows"/>: a window of about <paramref name="tokens"/> words with the matches
    /// between the markers.
    /// </summary>
    public Dictionary<int, string> Snippets(IReadOnlyCollection<int> rows, SearchQuery query, string open, string close, int tokens)
    {
        var snippets = new Dictionary<int, string>();
        if (rows.Count == 0)
        {
            return snippets;
        }

        using var cmd = c.CreateCommand();
        // Row numbers are this table's own integers, so they can be written into the statement.
        cmd.CommandText = $"SELECT rowid, snippet(hit, 0, $open, $close, $more, $tokens) FROM hit WHERE hit MATCH $q AND rowid IN ({string.Join(',', rows.Select(r => r.ToString(CultureInfo.InvariantCulture)))})";
        cmd.Parameters.AddWithValue("$open", open);
        cmd.Parameters.AddWithValue("$close", close);
        cmd.Parameters.AddWithValue("$more", Ellipsis);
        cmd.Parameters.AddWithValue("$tokens", Math.Clamp(tokens, 1, 64));
        cmd.Parameters.AddWithValue("$q", query.Match);
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                snippets[checked((int)r.GetInt64(0))] = r.GetString(1);
            }
        }

        // A text the query does not match here disagrees with the index (verify reports that): show its start unmarked.
        foreach (var row in rows)
        {
            if (!snippets.ContainsKey(row))
            {
                var text = texts[row];
                snippets[row] = text.Length <= 200 ? text : text[..200] + Ellipsis;
            }
        }

        return snippets;
    }

    public void Dispose() => c.Dispose();

    private static void Insert(SqliteConnection connection, string table, IReadOnlyList<string> rows, int first)
    {
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO {table}(rowid, text) VALUES($r, $t)";
        var row = insert.Parameters.Add("$r", SqliteType.Integer);
        var text = insert.Parameters.Add("$t", SqliteType.Text);
        for (var i = 0; i < rows.Count; i++)
        {
            row.Value = first + i;
            text.Value = rows[i];
            insert.ExecuteNonQuery();
        }

        tx.Commit();
    }
}
