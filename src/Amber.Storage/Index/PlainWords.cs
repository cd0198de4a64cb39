namespace Amber.Storage.Index;

/// <summary>
/// The words of a text as the index's tokenizer (<see cref="ArchiveIndex.Tokenizer"/>, SQLite's <c>unicode61
/// remove_diacritics 2</c>) cuts them, in managed code, for texts made only of characters whose treatment is known.
/// unicode61 looks at one character at a time — a word character (folded to one character: lower case, diacritics
/// removed) or a separator — except for the combining diacritics (U+0300–U+036F), which continue a word but cannot
/// start one, and characters that fold to nothing. So each character's treatment is asked of SQLite itself, a block of
/// 256 characters at a time when a text first holds one of them (<c>x</c>, the character, <c>y</c>: two words for a
/// separator, one of three letters for a word character); a character that gives anything else, a combining
/// diacritic, a lone surrogate, and any character outside the Basic Multilingual Plane but the emoji and symbol
/// planes' separators stay unknown, and a text holding one is left to SQLite (<see cref="IsPlain"/> says false).
/// <c>PlainWordsTests</c> checks the result against SQLite on every character and on random and real texts.
/// Thread-safe.
/// </summary>
internal sealed class PlainWords
{
    /// <summary>A longer run of word characters is left to SQLite (FTS5 bounds a token's length).</summary>
    internal const int MaxWordLength = 256;

    private const char Separator = '\0';
    private const char Unknown = '\u0001';
    private const char NotAsked = '\u0002';
    private const int AstralStart = 0x1F000;
    private const int AstralEnd = 0x1FB00;
    private const int Block = 256;

    private readonly Func<string, List<string>> tokenize;
    private readonly Lock gate = new();

    // For each BMP character: Separator, Unknown, NotAsked, or the character it folds to as part of a word.
    private readonly char[] fold = new char[0x10000];

    // For each code point in [AstralStart, AstralEnd): Separator, Unknown or NotAsked (a word character there is Unknown).
    private readonly char[] astral = new char[AstralEnd - AstralStart];

    /// <param name="tokenize">SQLite's tokenizer (<see cref="IndexTokenizer.Tokens"/>): the words of a text in order.</param>
    public PlainWords(Func<string, List<string>> tokenize)
    {
        ArgumentNullException.ThrowIfNull(tokenize);
        this.tokenize = tokenize;
        Array.Fill(fold, NotAsked);
        Array.Fill(astral, NotAsked);
        for (var i = 0; i < 128; i++)
        {
            fold[i] = char.IsAsciiLetterOrDigit((char)i) ? char.ToLowerInvariant((char)i) : Separator;
        }

        fold.AsSpan(0xD800, 0xE000 - 0xD800).Fill(Unknown);
        fold.AsSpan(0x300, 0x370 - 0x300).Fill(Unknown);
    }

    /// <summary>
    /// True when every character of <paramref name="text"/> is known, and no word is longer than
    /// <see cref="MaxWordLength"/>: then <see cref="Cut"/> gives its words exactly as SQLite would.
    /// </summary>
    public bool IsPlain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]) || !IsAstralSeparator(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return false;
                }

                i++;
                run = 0;
                continue;
            }

            var f = Fold(c);
            if (f == Unknown)
            {
                return false;
            }

            if (f == Separator)
            {
                run = 0;
            }
            else if (++run > MaxWordLength)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Calls <paramref name="word"/> with each word of a plain <paramref name="text"/> (<see cref="IsPlain"/>), folded, in order.</summary>
    public void Cut(string text, Action<ReadOnlySpan<char>> word)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(word);
        Span<char> folded = stackalloc char[MaxWordLength];
        var length = 0;
        foreach (var c in text)
        {
            var f = char.IsSurrogate(c) ? Separator : Fold(c); // IsPlain let only separator pairs through
            if (f == Unknown)
            {
                throw new ArgumentException("the text holds a character whose treatment is not known: it is not plain (IsPlain).", nameof(text));
            }

            if (f != Separator)
            {
                if (length == MaxWordLength)
                {
                    throw new ArgumentException($"a word is longer than {MaxWordLength} characters: the text is not plain (IsPlain).", nameof(text));
                }

                folded[length++] = f;
            }
            else if (length > 0)
            {
                word(folded[..length]);
                length = 0;
            }
        }

        if (length > 0)
        {
            word(folded[..length]);
        }
    }

    /// <summary>Whether <paramref name="c"/> alone is a plain text (a known separator or word character).</summary>
    internal bool Knows(char c) => !char.IsSurrogate(c) && Fold(c) != Unknown;

    private char Fold(char c)
    {
        char f; // a char is read whole: NotAsked, or what Ask wrote
        while ((f = fold[c]) == NotAsked)
        {
            Ask(c & ~(Block - 1), fold, 0); // each ask settles at least one character of the block
        }

        return f;
    }

    private bool IsAstralSeparator(int cp)
    {
        if (cp is < AstralStart or >= AstralEnd)
        {
            return false;
        }

        while (astral[cp - AstralStart] == NotAsked)
        {
            Ask(cp & ~(Block - 1), astral, AstralStart);
        }

        return astral[cp - AstralStart] == Separator;
    }

    // Asks SQLite about the block of code points from `start` not asked yet, and writes what it says into `table` (indexed by code point − `offset`).
    private void Ask(int start, char[] table, int offset)
    {
        lock (gate)
        {
            var asked = Enumerable.Range(start, Block).Where(cp => table[cp - offset] == NotAsked).ToList();
            if (asked.Count == 0)
            {
                return;
            }

            // One text, each character between x and y and the pairs a space apart: a separator gives the words x and y, a
            // word character one word x·f·y (f its folded form); anything else (a character folded to nothing, to two)
            // is unknown, and the reading stops there, since the words no longer line up: the characters after it are
            // asked again, without it.
            var tokens = tokenize(string.Join(' ', asked.Select(cp => "x" + char.ConvertFromUtf32(cp) + "y")));
            var at = 0;
            foreach (var cp in asked)
            {
                if (at + 1 < tokens.Count && tokens[at] == "x" && tokens[at + 1] == "y")
                {
                    table[cp - offset] = Separator;
                    at += 2;
                }
                else if (at < tokens.Count && tokens[at] is { Length: 3 } one && one[0] == 'x' && one[2] == 'y')
                {
                    table[cp - offset] = offset == 0 && one[1] > NotAsked && !char.IsSurrogate(one[1]) ? one[1] : Unknown;
                    at++;
                }
                else if (cp >= 0x10000 && at < tokens.Count && tokens[at] is { Length: 4 } pair && pair[0] == 'x' && pair[3] == 'y')
                {
                    table[cp - offset] = Unknown; // a word character outside the Basic Multilingual Plane: left to SQLite
                    at++;
                }
                else
                {
                    table[cp - offset] = Unknown;
                    return;
                }
            }
        }
    }
}
