using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Cuts texts into the words the index's full-text table would take from them, by SQLite's own tokenizer
/// (<see cref="ArchiveIndex.Tokenizer"/>), so an encrypted archive's keyed word hashes stand for exactly the words a
/// plain index holds (case folding, diacritics, CJK runs), with no second tokenizer to drift from SQLite's. An
/// in-memory contentless FTS5 table takes a batch of texts, <c>fts5vocab</c> gives each distinct word once with the
/// texts it occurs in (one per occurrence, concatenated in C, so the managed side reads a row per distinct word, not per
/// occurrence), and the table is emptied for the next batch. Thread-safe (one batch at a time).
/// </summary>
internal sealed class IndexTokenizer : IDisposable
{
    private readonly SqliteConnection c;
    private readonly Lock gate = new();

    public IndexTokenizer()
    {
        c = new SqliteConnection("Data Source=:memory:;Pooling=False");
        c.Open();
        using var create = c.CreateCommand();
        create.CommandText = $"""
            CREATE VIRTUAL TABLE t USING fts5(text, content='', tokenize = {ArchiveIndex.Tokenizer});
            CREATE VIRTUAL TABLE t_words USING fts5vocab(t, instance);
            """;
        create.ExecuteNonQuery();
    }

    /// <summary>The managed cutter for texts whose every character the tokenizer treats on its own, asking this SQLite (one tokenizer for the process) about each character the first time a text holds it.</summary>
    public static PlainWords Plain => PlainTable.Value;

    private static readonly Lazy<IndexTokenizer> Probe = new(() => new IndexTokenizer());

    private static readonly Lazy<PlainWords> PlainTable = new(() => new PlainWords(text => Probe.Value.Tokens(text)));

    /// <summary>
    /// The distinct words of <paramref name="texts"/> in term order, each with the index of the text of each of its
    /// occurrences (a text as often as the word occurs in it).
    /// </summary>
    public List<(string Word, int[] Texts)> Words(IReadOnlyList<string> texts)
    {
        var words = new List<(string, int[])>();
        if (texts.Count > 0)
        {
            Read(texts, "SELECT term, group_concat(doc) FROM t_words GROUP BY term ORDER BY term", r => words.Add((r.GetString(0), Docs(r.GetString(1)))));
        }

        return words;
    }

    /// <summary>The words of one text in the order they occur (a word as often as it occurs).</summary>
    public List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        Read([text], "SELECT term FROM t_words ORDER BY offset", r => tokens.Add(r.GetString(0)));
        return tokens;
    }

    public void Dispose() => c.Dispose();

    // Gives the table the texts (row i = texts[i]), calls `row` with each row `query` reads from fts5vocab, and empties
    // the table again by rolling back (no delete to merge), all under the lock.
    private void Read(IReadOnlyList<string> texts, string query, Action<SqliteDataReader> row)
    {
        lock (gate)
        {
            using var tx = c.BeginTransaction();
            using (var insert = c.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO t(rowid, text) VALUES($r, $t)";
                var rowid = insert.Parameters.Add("$r", SqliteType.Integer);
                var text = insert.Parameters.Add("$t", SqliteType.Text);
                for (var i = 0; i < texts.Count; i++)
                {
                    rowid.Value = i;
                    text.Value = texts[i];
                    insert.ExecuteNonQuery();
                }
            }

            using (var read = c.CreateCommand())
            {
                read.Transaction = tx;
                read.CommandText = query;
                using var r = read.ExecuteReader();
                while (r.Read())
                {
                    row(r);
                }
            }

            tx.Rollback();
        }
    }

    private static int[] Docs(string list)
    {
        var count = 1 + list.AsSpan().Count(',');
        var docs = new int[count];
        var span = list.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var comma = span.IndexOf(',');
            var part = comma < 0 ? span : span[..comma];
            docs[i] = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            span = comma < 0 ? [] : span[(comma + 1)..];
        }

        return docs;
    }
}
