using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Cuts texts into the words the index's full-text table would take from them, by SQLite's own tokenizer
/// (<see cref="ArchiveIndex.Tokenizer"/>), so an encrypted archive's keyed word hashes stand for exactly the words a
/// plain index holds (case folding, diacritics, CJK runs), with no second tokenizer to drift from SQLite's. An
/// in-memory contentless FTS5 table with word positions takes a batch of texts, <c>fts5vocab</c> gives each one's
/// words in order, and the table is emptied for the next batch. Thread-safe (one batch at a time).
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

    /// <summary>The words of each text, in the order they occur (a word as often as it occurs).</summary>
    public List<string>[] Words(IReadOnlyList<string> texts)
    {
        var words = new List<string>[texts.Count];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = [];
        }

        if (texts.Count == 0)
        {
            return words;
        }

        lock (gate)
        {
            using var tx = c.BeginTransaction();
            using (var insert = c.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO t(rowid, text) VALUES($r, $t)";
                var row = insert.Parameters.Add("$r", SqliteType.Integer);
                var text = insert.Parameters.Add("$t", SqliteType.Text);
                for (var i = 0; i < texts.Count; i++)
                {
                    row.Value = i;
                    text.Value = texts[i];
                    insert.ExecuteNonQuery();
                }
            }

            var positioned = new List<(long Offset, string Word)>[texts.Count];
            using (var read = c.CreateCommand())
            {
                read.Transaction = tx;
                read.CommandText = "SELECT doc, offset, term FROM t_words";
                using var r = read.ExecuteReader();
                while (r.Read())
                {
                    var doc = checked((int)r.GetInt64(0));
                    (positioned[doc] ??= []).Add((r.GetInt64(1), r.GetString(2)));
                }
            }

            // A rollback leaves the table empty for the next batch, without a delete to merge.
            tx.Rollback();
            for (var i = 0; i < texts.Count; i++)
            {
                if (positioned[i] is { } p)
                {
                    words[i] = [.. p.OrderBy(x => x.Offset).Select(x => x.Word)];
                }
            }
        }

        return words;
    }

    public void Dispose() => c.Dispose();
}
