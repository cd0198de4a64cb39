using System.Text;

namespace Amber.Storage.Reading;

/// <summary>
/// Cuts a search snippet from a message's text (read from the segments: the full-text index keeps no copy): a window
/// of about <c>tokens</c> words holding as many of the query's matches as fit, each match between the caller's markers,
/// with "…" where the text goes on. Matches are found as the index finds them (<see cref="SearchTokens"/>): a word
/// equal to a query term, or a run of words equal to a quoted phrase.
/// </summary>
internal static class SearchSnippet
{
    private const string Ellipsis = "…";

    public static string Cut(string text, SearchQuery query, string open, string close, int tokens)
    {
        var words = SearchTokens.Tokenize(text);
        if (words.Count == 0)
        {
            return "";
        }

        var matches = Matches(words, query); // (first word, word count), in text order
        var size = Math.Clamp(tokens, 1, 64);
        var start = BestStart(words.Count, matches, size);
        var end = Math.Min(words.Count, start + size);

        var sb = new StringBuilder();
        if (start > 0)
        {
            sb.Append(Ellipsis);
        }

        var at = words[start].Start;
        foreach (var (first, count) in matches)
        {
            var last = first + count - 1;
            if (first < start || last >= end || words[first].Start < at)
            {
                continue; // outside the window, or overlapping a match already marked
            }

            sb.Append(text, at, words[first].Start - at).Append(open);
            sb.Append(text, words[first].Start, words[last].End - words[first].Start).Append(close);
            at = words[last].End;
        }

        sb.Append(text, at, words[end - 1].End - at);
        if (end < words.Count)
        {
            sb.Append(Ellipsis);
        }

        return sb.ToString();
    }

    private static List<(int First, int Count)> Matches(List<(int Start, int End, string Folded)> words, SearchQuery query)
    {
        var found = new List<(int, int)>();
        foreach (var phrase in query.Phrases)
        {
            var terms = SearchTokens.Terms(phrase);
            if (terms.Count == 0)
            {
                continue;
            }

            for (var i = 0; i + terms.Count <= words.Count; i++)
            {
                var all = true;
                for (var j = 0; j < terms.Count && all; j++)
                {
                    all = string.Equals(words[i + j].Folded, terms[j], StringComparison.Ordinal);
                }

                if (all)
                {
                    found.Add((i, terms.Count));
                }
            }
        }

        found.Sort();
        return found;
    }

    /// <summary>The first word of the window of <paramref name="size"/> words that holds the most matches (the earliest such), starting a little before its first match.</summary>
    private static int BestStart(int wordCount, List<(int First, int Count)> matches, int size)
    {
        var best = 0;
        var bestCount = -1;
        foreach (var (first, _) in matches)
        {
            var start = Math.Max(0, Math.Min(first - (size / 4), wordCount - size));
            var count = matches.Count(m => m.First >= start && m.First + m.Count <= start + size);
            if (count > bestCount)
            {
                (best, bestCount) = (start, count);
            }
        }

        return best;
    }
}
