namespace Amber.Viewer.Rendering;

/// <summary>
/// A fast check that Markdig's output holds only the tags and attributes the sanitizer would keep, with safe
/// URLs. Markdig escapes every &lt;, &gt;, &amp; and " of the text it renders, so in its output each '&lt;' starts a tag it
/// wrote; this reads those tags and nothing else. Anything unexpected — an unknown tag or attribute, an
/// unquoted value, a URL that is not relative or http(s)/mailto, an image from outside the blob store — makes
/// the check fail, and the caller then runs the full HtmlSanitizer. It is the sanitizer's allow-list, applied
/// without building a DOM for the common case.
/// </summary>
public static class AllowListCheck
{
    private static readonly HashSet<string> Tags = new(StringComparer.Ordinal)
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "ins", "mark", "sub", "sup", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "input", "span", "div",
    };

    private static readonly HashSet<string> Attributes = new(StringComparer.Ordinal)
    {
        "href", "src", "alt", "title", "class", "align", "start", "type", "checked", "disabled",
    };

    public static bool Passes(string html)
    {
        var i = 0;
        while (true)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0)
            {
                return html.IndexOf('>', i) < 0;
            }

            if (html.IndexOf('>', i, lt - i) >= 0)
            {
                return false; // a bare '>' in text: Markdig would have escaped it
            }

            i = lt + 1;
            var closing = i < html.Length && html[i] == '/';
            if (closing)
            {
                i++;
            }

            var nameStart = i;
            while (i < html.Length && IsNameChar(html[i]))
            {
                i++;
            }

            var tag = html[nameStart..i];
            if (!Tags.Contains(tag))
            {
                return false;
            }

            if (closing)
            {
                if (i >= html.Length || html[i] != '>')
                {
                    return false;
                }

                i++;
                continue;
            }

            // attributes: (space name="value")* then optional " /" then '>'
            while (true)
            {
                if (i >= html.Length)
                {
                    return false;
                }

                if (html[i] == '>')
                {
                    i++;
                    break;
                }

                if (html[i] == ' ' && i + 2 < html.Length && html[i + 1] == '/' && html[i + 2] == '>')
                {
                    i += 3;
                    break;
                }

                if (html[i] != ' ')
                {
                    return false;
                }

                i++;
                var attrStart = i;
                while (i < html.Length && IsNameChar(html[i]))
                {
                    i++;
                }

                var name = html[attrStart..i];
                if (!Attributes.Contains(name))
                {
                    return false;
                }

                if (i < html.Length && html[i] != '=')
                {
                    continue; // a boolean attribute (checked, disabled)
                }

                if (i + 1 >= html.Length || html[i + 1] != '"')
                {
                    return false;
                }

                var valueStart = i + 2;
                var valueEnd = html.IndexOf('"', valueStart);
                if (valueEnd < 0)
                {
                    return false;
                }

                var value = html[valueStart..valueEnd];
                if (value.Contains('<', StringComparison.Ordinal) || value.Contains('>', StringComparison.Ordinal))
                {
                    return false;
                }

                if (name is "href" or "src")
                {
                    var url = System.Net.WebUtility.HtmlDecode(value);
                    if (Html.HtmlWriter.SafeUrl(url) != url.Trim() || url.Trim() != url || (name == "src" && !url.StartsWith("/api/blobs/", StringComparison.Ordinal)))
                    {
                        return false;
                    }
                }

                i = valueEnd + 1;
            }
        }
    }

    private static bool IsNameChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
