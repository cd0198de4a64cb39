namespace Amber.Revive.Replay;

/// <summary>A plain, documented similarity for replicated turns.</summary>
public static class TextSimilarity
{
    /// <summary>
    /// 1 − (word-level edit distance / longer length), over lower-cased words; 1 means the same words in
    /// the same order, 0 nothing in common. Capped at 2,000 words per side.
    /// </summary>
    public static double Words(string a, string b)
    {
        var x = Split(a);
        var y = Split(b);
        if (x.Length == 0 && y.Length == 0)
        {
            return 1;
        }

        var prev = new int[y.Length + 1];
        var cur = new int[y.Length + 1];
        for (var j = 0; j <= y.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= x.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= y.Length; j++)
            {
                var cost = x[i - 1] == y[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return 1 - ((double)prev[y.Length] / Math.Max(x.Length, y.Length));
    }

    private static string[] Split(string s) => s.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(2000).ToArray();
}
