using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The words of a text as the index's tokenizer (<see cref="ArchiveIndex.Tokenizer"/>, SQLite's <c>unicode61
/// remove_diacritics 2</c>) cuts them, in managed code, for texts made only of characters whose treatment is known:
/// unicode61 looks at one character at a time — a word character (folded to one character: lower case, diacritics
/// removed) or a separator — except for the combining diacritics (U+0300–U+036F), which continue a word but cannot
/// start one. So the table is read from SQLite itself once (<see cref="Derive"/>): every character of the Basic
/// Multilingual Plane but the surrogates and those diacritics, and the emoji and symbol planes' separators, each
/// tokenized after an ASCII letter. A text holding any other character (a diacritic, a surrogate pair outside those
/// planes, an astral word character) is left to SQLite (<see cref="IsPlain"/> says false). <c>PlainWordsTests</c>
/// checks the table against SQLite on every character and on random and real texts.
/// </summary>
internal sealed class PlainWords
{
    /// <summary>A longer run of word characters is left to SQLite (FTS5 bounds a token's length).</summary>
    internal const int MaxWordLength = 256;

    private const char Separator = '\0';
    private const char Unknown = '\u0001';
    private const int AstralStart = 0x1F000;
    private const int AstralEnd = 0x1FB00;

    // For each BMP character: Separator, Unknown, or the character it folds to as part of a word.
    private readonly char[] fold;

    // For each code point in [AstralStart, AstralEnd): true when it is a separator (anything else there is left to SQLite).
    private readonly bool[] astralSeparator;

    private PlainWords(char[] fold, bool[] astralSeparator)
    {
        this.fold = fold;
        this.astralSeparator = astralSeparator;
    }

    /// <summary>Reads the table from the tokenizer of <paramref name="c"/>'s in-memory FTS5 table <c>t</c> (with its <c>fts5vocab</c> <c>t_words</c>), inside no open transaction.</summary>
    internal static PlainWords Derive(SqliteConnection c)
    {
        var fold = new char[0x10000];
        for (var i = 0; i < 128; i++)
        {
            fold[i] = char.IsAsciiLetterOrDigit((char)i) ? char.ToLowerInvariant((char)i) : Separator;
        }

        var candidates = new List<int>();
        for (var i = 128; i < 0x10000; i++)
        {
            fold[i] = Unknown;
            if (!char.IsSurrogate((char)i) && i is not (>= 0x300 and <= 0x36F))
            {
                candidates.Add(i);
            }
        }

        candidates.AddRange(Enumerable.Range(AstralStart, AstralEnd - AstralStart));
        var astralSeparator = new bool[AstralEnd - AstralStart];

        // Each candidate after an ASCII letter, one pair a word apart: token i is "x" when candidate i is a separator,
        // "x" and its folded form when it is a word character.
        var text = string.Join(' ', candidates.Select(cp => "x" + char.ConvertFromUtf32(cp)));
        using var tx = c.BeginTransaction();
        using (var insert = c.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO t(rowid, text) VALUES(0, $t)";
            insert.Parameters.AddWithValue("$t", text);
            insert.ExecuteNonQuery();
        }

        var tokens = new string?[candidates.Count];
        using (var read = c.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT offset, term FROM t_words";
            using var r = read.ExecuteReader();
            while (r.Read())
            {
                var offset = r.GetInt64(0);
                if (offset >= 0 && offset < tokens.Length)
                {
                    tokens[offset] = tokens[offset] is null ? r.GetString(1) : "\u0001"; // two tokens at one offset: unknown
                }
            }
        }

        tx.Rollback();
        for (var i = 0; i < candidates.Count; i++)
        {
            var cp = candidates[i];
            var token = tokens[i];
            var separator = token == "x";
            if (cp >= 0x10000)
            {
                astralSeparator[cp - AstralStart] = separator;
            }
            else if (separator)
            {
                fold[cp] = Separator;
            }
            else if (token is { Length: 2 } && token[0] == 'x' && token[1] > Unknown && !char.IsSurrogate(token[1]))
            {
                fold[cp] = token[1];
            }
        }

        return new PlainWords(fold, astralSeparator);
    }

    /// <summary>
    /// True when every character of <paramref name="text"/> is in the table, and no word is longer than
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

            var f = fold[c];
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
            var f = char.IsSurrogate(c) ? Separator : fold[c]; // IsPlain let only separator pairs through
            if (f == Unknown)
            {
                throw new ArgumentException("the text holds a character the table does not know: it is not plain (IsPlain).", nameof(text));
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
    internal bool Knows(char c) => !char.IsSurrogate(c) && fold[c] != Unknown;

    private bool IsAstralSeparator(int cp) => cp is >= AstralStart and < AstralEnd && astralSeparator[cp - AstralStart];
}
