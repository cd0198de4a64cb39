namespace Amber.Storage.Index;

/// <summary>
/// The words of a text as the index's tokenizer (<see cref="ArchiveIndex.Tokenizer"/>, SQLite's <c>unicode61
/// remove_diacritics 2</c>) cuts them, for the texts where that needs no Unicode table: every character either an ASCII
/// letter or digit (a word character, folded to lower case) or a separator — any other ASCII character, or one of a few
/// common non-ASCII spaces, dashes, quotes and marks (<see cref="IsSeparator"/>). A text with any other character is
/// left to SQLite (<see cref="TryCut"/> says false). <c>PlainWordsTests</c> checks every character this accepts against
/// SQLite's own tokenizer, so the two cannot drift.
/// </summary>
internal static class PlainWords
{
    /// <summary>A longer run of word characters is left to SQLite (FTS5 bounds a token's length).</summary>
    internal const int MaxWordLength = 256;

    /// <summary>
    /// True when every character of <paramref name="text"/> is an ASCII letter or digit or a separator this knows, and
    /// no word is longer than <see cref="MaxWordLength"/>: then <see cref="Cut"/> gives its words exactly as SQLite would.
    /// </summary>
    public static bool IsPlain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var run = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (++run > MaxWordLength)
                {
                    return false;
                }
            }
            else if (c < 128 || IsSeparator(c))
            {
                run = 0;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Calls <paramref name="word"/> with each word of a plain <paramref name="text"/> (<see cref="IsPlain"/>), lower-cased, in order.</summary>
    public static void Cut(string text, Action<ReadOnlySpan<char>> word)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(word);
        Span<char> lower = stackalloc char[MaxWordLength];
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (length == MaxWordLength)
                {
                    throw new ArgumentException($"a word is longer than {MaxWordLength} characters: the text is not plain (IsPlain).", nameof(text));
                }

                lower[length++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
            else if (length > 0)
            {
                word(lower[..length]);
                length = 0;
            }
        }

        if (length > 0)
        {
            word(lower[..length]);
        }
    }

    /// <summary>
    /// The non-ASCII characters taken as separators without SQLite: spaces (Zs, Zl, Zp), dashes (Pd), quotes (Pi, Pf),
    /// other punctuation (Po), arrows and math signs (Sm), currency (Sc) and format characters (Cf) common in chat text.
    /// None is a letter, digit or private-use character, the classes unicode61 keeps.
    /// </summary>
    internal static bool IsSeparator(char c) => c switch
    {
        '\u00a0' or '\u00ab' or '\u00b0' or '\u00b7' or '\u00bb' or '\u00d7' or '\u00f7' => true,
        >= '\u2000' and <= '\u200b' => true, // spaces, zero-width space
        >= '\u2010' and <= '\u2027' => true, // dashes, quotes, daggers, bullet, ellipsis
        '\u2028' or '\u2029' or '\u202f' or '\u2032' or '\u2033' or '\u205f' or '\u2060' or '\u3000' or '\ufeff' => true,
        '\u20ac' or '\u00a3' or '\u00a5' => true,
        >= '\u2190' and <= '\u2199' => true, // arrows
        '\u2212' or '\u2264' or '\u2265' or '\u2260' or '\u2248' or '\u221e' => true,
        _ => false,
    };
}
