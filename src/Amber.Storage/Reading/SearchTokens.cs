using System.Globalization;
using System.Text;

namespace Amber.Storage.Reading;

/// <summary>
/// The index's tokenizer (FTS5 <c>unicode61 remove_diacritics 2</c>) redone in C#, so that snippets cut from the text
/// the segments hold mark the words the full-text index matched: a token is a run of letters, numbers and private-use
/// characters (Unicode categories L*, N*, Co; combining marks stay inside the word they follow), compared
/// case-insensitively with diacritics removed. A run of CJK characters without separators is one token, as in FTS5.
/// </summary>
internal static class SearchTokens
{
    /// <summary>Every token of <paramref name="text"/>: where it starts and ends (UTF-16 indexes) and its folded form.</summary>
    public static List<(int Start, int End, string Folded)> Tokenize(string text)
    {
        var tokens = new List<(int, int, string)>();
        var i = 0;
        while (i < text.Length)
        {
            var rune = Rune.GetRuneAt(text, i);
            if (!IsTokenChar(rune, continuing: false))
            {
                i += rune.Utf16SequenceLength;
                continue;
            }

            var start = i;
            while (i < text.Length && Rune.TryGetRuneAt(text, i, out rune) && IsTokenChar(rune, continuing: true))
            {
                i += rune.Utf16SequenceLength;
            }

            tokens.Add((start, i, Fold(text.AsSpan(start, i - start))));
        }

        return tokens;
    }

    /// <summary>The folded tokens of a query phrase.</summary>
    public static List<string> Terms(string phrase) => Tokenize(phrase).Select(t => t.Folded).ToList();

    private static bool IsTokenChar(Rune rune, bool continuing)
    {
        var category = Rune.GetUnicodeCategory(rune);
        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.PrivateUse => true,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => continuing,
            _ => false,
        };
    }

    /// <summary>Lower case, diacritics removed (decomposed, marks dropped).</summary>
    private static string Fold(ReadOnlySpan<char> token)
    {
        var lower = token.ToString().ToLowerInvariant();
        var decomposed = lower.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
            {
                sb.Append(ch);
            }
        }

        return sb.ToString();
    }
}
