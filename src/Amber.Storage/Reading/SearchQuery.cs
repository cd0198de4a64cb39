namespace Amber.Storage.Reading;

/// <summary>
/// A user's search words: every word (or "quoted phrase") must match. Parsed once, then given to FTS5 as a query
/// and to <see cref="HitTexts"/> to confirm phrases and mark the same matches in the text.
/// </summary>
internal sealed class SearchQuery
{
    private SearchQuery(IReadOnlyList<string> phrases) => Phrases = phrases;

    /// <summary>The words and quoted phrases, as typed.</summary>
    public IReadOnlyList<string> Phrases { get; }

    public bool IsEmpty => Phrases.Count == 0;

    /// <summary>The FTS5 query: each phrase quoted, so punctuation and operators in it are literal.</summary>
    public string Match => string.Join(' ', Phrases.Select(p => "\"" + p.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    public static SearchQuery Parse(string query)
    {
        var phrases = new List<string>();
        var phrase = new System.Text.StringBuilder();
        var inQuote = false;
        void Flush()
        {
            var t = phrase.ToString().Trim();
            if (t.Length > 0)
            {
                phrases.Add(t);
            }

            phrase.Clear();
        }

        foreach (var ch in query)
        {
            if (ch == '"')
            {
                Flush();
                inQuote = !inQuote;
            }
            else if (char.IsWhiteSpace(ch) && !inQuote)
            {
                Flush();
            }
            else
            {
                phrase.Append(ch);
            }
        }

        Flush();
        return new SearchQuery(phrases);
    }
}
