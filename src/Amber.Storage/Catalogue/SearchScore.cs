using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>
/// Okapi BM25 as FTS5's <c>bm25()</c> computes it (k1 = 1.2, b = 0.75, an idf below zero raised to 1e-6), from what the
/// contentless <c>detail=none</c> index still holds: the number of messages and of words in all (FTS5's totals
/// record), each word's document frequency (<c>fts5vocab</c>) and each message's length (<c>node_text_docsize</c>).
/// Such an index does not know how often a word occurs in a message, so that count comes from the message's text
/// (<see cref="Reading.HitTexts"/>). Each word of a quoted phrase counts as a word.
/// </summary>
internal sealed class SearchScore
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private readonly double averageLength;
    private readonly Dictionary<string, double> idf;

    private SearchScore(double averageLength, Dictionary<string, double> idf)
    {
        this.averageLength = averageLength;
        this.idf = idf;
    }

    /// <summary>Reads the totals and each word's document frequency in the index, on <paramref name="c"/> (in its transaction).</summary>
    /// <param name="c">A connection to the index.</param>
    /// <param name="words">The query's words.</param>
    /// <param name="termsOf">
    /// The terms a word is indexed as, whose frequencies add up (an encrypted archive's keyed hashes, one per tenant
    /// searched); null when each word is its own term.
    /// </param>
    public static SearchScore Read(SqliteConnection c, IEnumerable<string> words, Func<string, IEnumerable<string>>? termsOf = null)
    {
        long rows = 0, tokens = 0;
        using (var cmd = c.CreateCommand())
        {
            // The totals record of FTS5's index (rowid 1 of the _data table): the row count, then the word count of each column.
            cmd.CommandText = "SELECT block FROM node_text_data WHERE id = 1";
            if (cmd.ExecuteScalar() is byte[] totals)
            {
                var at = 0;
                rows = Varint(totals, ref at);
                tokens = Varint(totals, ref at);
            }
        }

        var idf = new Dictionary<string, double>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT doc FROM temp.node_text_words WHERE term = $w";
            var w = cmd.Parameters.Add("$w", SqliteType.Text);
            foreach (var word in words)
            {
                long n = 0;
                foreach (var term in termsOf?.Invoke(word) ?? [word])
                {
                    w.Value = term;
                    n += cmd.ExecuteScalar() is long d ? d : 0;
                }

                var x = Math.Log((rows - n + 0.5) / (n + 0.5));
                idf[word] = x <= 0 ? 1e-6 : x;
            }
        }

        return new SearchScore(rows == 0 ? 1 : tokens / (double)rows, idf);
    }

    /// <summary>The view of the word counts <see cref="Read"/> looks words up in, made once per (pooled) connection, outside a transaction.</summary>
    public const string WordsView = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.node_text_words USING fts5vocab(main, 'node_text', 'row')";

    /// <summary>The BM25 score of a message of <paramref name="length"/> words holding each word <c>counts[word]</c> times (higher is better).</summary>
    public double Of(long length, Func<string, int> count)
    {
        var norm = K1 * (1 - B + (B * length / averageLength));
        var score = 0.0;
        foreach (var (word, weight) in idf)
        {
            var f = count(word);
            score += weight * (f * (K1 + 1)) / (f + norm);
        }

        return score;
    }

    /// <summary>A message's word count as <c>node_text_docsize</c> stores it: one SQLite varint (one column).</summary>
    public static long Length(byte[] docsize)
    {
        var at = 0;
        return docsize.Length == 0 ? 0 : Varint(docsize, ref at);
    }

    /// <summary>SQLite's varint: big-endian groups of 7 bits, the high bit set on all but the last; a ninth byte gives 8 bits.</summary>
    private static long Varint(byte[] b, ref int at)
    {
        long v = 0;
        for (var i = 0; i < 9 && at < b.Length; i++)
        {
            var x = b[at++];
            if (i == 8)
            {
                return (v << 8) | x;
            }

            v = (v << 7) | (long)(x & 0x7f);
            if ((x & 0x80) == 0)
            {
                return v;
            }
        }

        return v;
    }
}
