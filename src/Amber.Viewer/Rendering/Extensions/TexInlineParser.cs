using Markdig.Helpers;
using Markdig.Parsers;

namespace Amber.Viewer.Rendering.Extensions;

/// <summary>
/// Finds math in a paragraph the way chat apps and Pandoc do, so prices stay prose: <c>$…$</c> needs a non-space
/// right after the opening dollar and right before the closing one, the closing dollar must not be followed by a
/// letter or digit ("$5 and $6", "$HOME" are text), and no backtick may come between. <c>$$…$$</c>, <c>\(…\)</c> and <c>\[…\]</c> are taken as written. Code spans are
/// parsed left to right by Markdig, so a dollar inside backticks never starts math. Registered before Markdig's
/// escape parser, which would otherwise turn <c>\(</c> into a bare parenthesis.
/// </summary>
public sealed class TexInlineParser : InlineParser
{
    private const int Dollar = 0, DoubleDollar = 1, Paren = 2, Bracket = 3;

    public TexInlineParser() => OpeningCharacters = ['$', '\\'];

    public override bool Match(InlineProcessor processor, ref StringSlice slice)
    {
        var text = slice.Text;
        var start = slice.Start;
        var end = slice.End + 1; // exclusive
        int kind, contentStart, delimiter;
        if (text[start] == '\\')
        {
            if (start + 1 >= end || text[start + 1] is not ('(' or '['))
            {
                return false;
            }

            kind = text[start + 1] == '[' ? Bracket : Paren;
            (contentStart, delimiter) = (start + 2, 2);
        }
        else if (start + 1 < end && text[start + 1] == '$')
        {
            (kind, contentStart, delimiter) = (DoubleDollar, start + 2, 2);
        }
        else
        {
            (kind, contentStart, delimiter) = (Dollar, start + 1, 1);
        }

        // A closer is a closer whatever opened before it, so once a search from some point to some other found none,
        // no opener in between can find one there: remembering that keeps a paragraph full of lone dollars linear.
        var state = processor.ParserStates[Index] as Misses;
        if (state is null || !ReferenceEquals(state.Text, text))
        {
            processor.ParserStates[Index] = state = new Misses(text);
        }

        if (contentStart >= state.From[kind] && contentStart < state.Until[kind])
        {
            return false;
        }

        var stop = end;
        var contentEnd = kind switch
        {
            Paren => text.IndexOf("\\)", contentStart, end - contentStart, StringComparison.Ordinal),
            Bracket => text.IndexOf("\\]", contentStart, end - contentStart, StringComparison.Ordinal),
            DoubleDollar => text.IndexOf("$$", contentStart, end - contentStart, StringComparison.Ordinal),
            _ => ClosingDollar(text, contentStart, end, out stop),
        };
        if (contentEnd < 0)
        {
            if (kind != Dollar || (contentStart < end && !char.IsWhiteSpace(text[contentStart])))
            {
                (state.From[kind], state.Until[kind]) = (contentStart, stop);
            }

            return false;
        }

        if (string.IsNullOrWhiteSpace(text[contentStart..contentEnd]))
        {
            return false;
        }

        var display = kind is Bracket or DoubleDollar;
        var after = contentEnd + delimiter;

        processor.Inline = new TexInline
        {
            Tex = text[contentStart..contentEnd].Trim(),
            Display = display,
            Span = new Markdig.Syntax.SourceSpan(processor.GetSourcePosition(start, out var line, out var column), processor.GetSourcePosition(after - 1)),
            Line = line,
            Column = column,
        };
        slice.Start = after;
        return true;
    }

    /// <summary>
    /// The index of the dollar that closes one opened just before <paramref name="from"/>, or -1; <paramref name="stop"/>
    /// is where the search ended. A closing dollar followed by a letter or digit is not one ("$HOME", "$6"), and a
    /// backtick ends the search (code spans win over inline math).
    /// </summary>
    public static int ClosingDollar(string text, int from, int end, out int stop)
    {
        stop = end;
        if (from >= end || char.IsWhiteSpace(text[from]))
        {
            return -1; // "$ 5": a space after the opening dollar is prose
        }

        for (var i = from + 1; i < end; i++)
        {
            if (text[i] == '`')
            {
                stop = i;
                return -1;
            }

            if (text[i] == '\\')
            {
                i++; // an escaped character (\$ inside math) never closes it
                continue;
            }

            if (text[i] == '$' && !char.IsWhiteSpace(text[i - 1]) && !(i + 1 < end && char.IsLetterOrDigit(text[i + 1])))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Per paragraph, for each kind of delimiter: the last failed search for a closer, from where to where (no closer lies between).</summary>
    private sealed class Misses(string text)
    {
        public string Text { get; } = text;

        public int[] From { get; } = [int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue];

        public int[] Until { get; } = [0, 0, 0, 0];
    }
}
