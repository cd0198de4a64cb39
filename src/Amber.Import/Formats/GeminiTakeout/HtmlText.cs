using System.Net;
using System.Text;

namespace Amber.Import.Formats.GeminiTakeout;

/// <summary>
/// The text of an answer's HTML, as a reader sees it: tags dropped, entities decoded, white space collapsed except
/// inside <c>pre</c>, a blank line between blocks (paragraphs, headings, lists, tables, pre), a line per list item
/// ("- " or "1. ") and table row (cells separated by " | "), and <c>br</c> a line break. The HTML itself is kept.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr", "section", "article", "header", "footer", "figure",
    };

    public static string ToText(string html)
    {
        var text = new StringBuilder(html.Length);
        var lists = new Stack<int>(); // per open list: 0 for ul, else the next item's number
        var pre = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            var end = lt < 0 ? -1 : html.IndexOf('>', lt + 1);
            if (lt < 0 || end < 0)
            {
                Append(text, html[i..], pre > 0);
                break;
            }

            Append(text, html[i..lt], pre > 0);
            var tag = html.AsSpan(lt + 1, end - lt - 1);
            var closing = tag.StartsWith("/");
            var name = tag.TrimStart('/');
            var stop = name.IndexOfAny(" \t\r\n/");
            var tagName = (stop < 0 ? name : name[..stop]).ToString().ToLowerInvariant();
            i = end + 1;
            switch (tagName)
            {
                case "br":
                    TrimSpaces(text);
                    text.Append('\n');
                    break;
                case "li" when !closing:
                    Break(text, 1);
                    if (lists.TryPop(out var n))
                    {
                        text.Append(n == 0 ? "- " : $"{n}. ");
                        lists.Push(n == 0 ? 0 : n + 1);
                    }
                    else
                    {
                        text.Append("- ");
                    }

                    break;
                case "ul" or "ol":
                    Break(text, lists.Count == 0 ? 2 : 1);
                    if (closing)
                    {
                        lists.TryPop(out _);
                    }
                    else
                    {
                        lists.Push(tagName == "ol" ? 1 : 0);
                    }

                    break;
                case "tr":
                    Break(text, 1);
                    break;
                case "td" or "th" when !closing:
                    if (text.Length > 0 && text[^1] != '\n')
                    {
                        TrimSpaces(text);
                        text.Append(" | ");
                    }

                    break;
                case "pre":
                    pre = Math.Max(0, pre + (closing ? -1 : 1));
                    Break(text, 2);
                    break;
                case "script" or "style" when !closing:
                    var close = html.IndexOf("</" + tagName, i, StringComparison.OrdinalIgnoreCase);
                    i = close < 0 ? html.Length : close;
                    break;
                default:
                    if (Blocks.Contains(tagName))
                    {
                        Break(text, lists.Count > 0 ? 1 : 2);
                    }

                    break;
            }
        }

        return text.ToString().Trim('\n', ' ');
    }

    /// <summary>Appends the decoded text between two tags; outside pre, runs of white space become one space.</summary>
    private static void Append(StringBuilder text, string raw, bool pre)
    {
        var decoded = WebUtility.HtmlDecode(raw);
        if (pre)
        {
            text.Append(decoded);
            return;
        }

        foreach (var c in decoded)
        {
            if (char.IsWhiteSpace(c) && c != '\u00A0')
            {
                if (text.Length > 0 && text[^1] is not (' ' or '\n'))
                {
                    text.Append(' ');
                }
            }
            else
            {
                text.Append(c);
            }
        }
    }

    /// <summary>Ends the text with at least <paramref name="lines"/> line breaks (none at the very start).</summary>
    private static void Break(StringBuilder text, int lines)
    {
        TrimSpaces(text);
        if (text.Length == 0)
        {
            return;
        }

        var have = 0;
        while (have < text.Length && text[^(have + 1)] == '\n')
        {
            have++;
        }

        text.Append('\n', Math.Max(0, lines - have));
    }

    private static void TrimSpaces(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }
    }
}
