using Amber.Viewer.Html;
using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Amber.Viewer.Rendering;

/// <summary>
/// Markdown to safe HTML. Raw HTML in the text is never parsed as HTML (Markdig's DisableHtml makes it text),
/// links keep only http, https and mailto (anything else becomes "#"), images load only from the archive's
/// blob route (others become plain links), and the result must pass the sanitizer's short allow-list:
/// output that <see cref="AllowListCheck"/> cannot vouch for is cleaned by HtmlSanitizer.
/// Very large or very deeply nested text is shown as plain text instead, so no input can exhaust the stack.
/// </summary>
public static class MarkdownRenderer
{
    /// <summary>Above this many characters a message is shown as plain text (Markdown of that size is rarely meant).</summary>
    public const int MaxMarkdownLength = 256 * 1024;

    /// <summary>Deeper syntax trees (nested quotes, lists, emphasis) are shown as plain text.</summary>
    public const int MaxDepth = 32;

    private const string BlobPrefix = "/api/blobs/";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .Use<Extensions.ViewerMarkdownExtension>()
        .DisableHtml()
        .Build();

    private static readonly ThreadLocal<HtmlSanitizer> Sanitizer = new(CreateSanitizer);

    public static SafeHtml Render(string markdown)
    {
        if (markdown.Length == 0)
        {
            return default;
        }

        if (markdown.Length > MaxMarkdownLength || LooksDeeplyNested(markdown))
        {
            return PlainText(markdown);
        }

        if (IsPlainProse(markdown))
        {
            return PlainText(markdown);
        }

        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(markdown, Pipeline);
        }
        catch (ArgumentException)
        {
            return PlainText(markdown); // Markdig's own nesting limit
        }

        if (Depth(document) > MaxDepth)
        {
            return PlainText(markdown);
        }

        NeutralizeLinks(document);
        var html = document.ToHtml(Pipeline);
        return new SafeHtml(AllowListCheck.Passes(html) ? html : Sanitizer.Value!.Sanitize(html));
    }

    /// <summary>The text as paragraphs with line breaks, every character encoded.</summary>
    public static SafeHtml PlainText(string text)
    {
        var w = new HtmlWriter(text.Length + 64);
        using (w.Tag("div", ("class", "plain")))
        {
            w.Text(text);
        }

        return w.ToSafeHtml();
    }

    /// <summary>
    /// True when the text has no character Markdown gives meaning to, so encoding it is the whole rendering.
    /// Most chat messages are like this, and they skip the parser and the sanitizer.
    /// </summary>
    private static bool IsPlainProse(string text)
    {
        var lineStart = true;
        foreach (var c in text)
        {
            if (c is '*' or '_' or '`' or '#' or '[' or ']' or '<' or '>' or '!' or '|' or '~' or '\\' or '&' or '\t' or '^' or '$')
            {
                return false;
            }

            if (lineStart && (char.IsDigit(c) || c is '-' or '+' or '=' or ' '))
            {
                return false; // lists, setext headings, indented code
            }

            lineStart = c == '\n';
        }

        return !text.Contains("://", StringComparison.Ordinal) && !text.Contains("www.", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("mailto:", StringComparison.OrdinalIgnoreCase) && !text.Contains("==", StringComparison.Ordinal)
            && !text.Contains("++", StringComparison.Ordinal) && !text.Contains("  \n", StringComparison.Ordinal);
    }

    /// <summary>A quick scan for input built to nest deeply (long runs of quote, list or bracket markers).</summary>
    private static bool LooksDeeplyNested(string text)
    {
        var run = 0;
        var maxRun = 0;
        var open = 0;
        var maxOpen = 0;
        foreach (var c in text)
        {
            if (c is '>' or '[' or '*' or '_' or '(')
            {
                run++;
                maxRun = Math.Max(maxRun, run);
            }
            else if (c is not (' ' or '\t'))
            {
                run = 0;
            }

            if (c is '[' or '(')
            {
                open++;
                maxOpen = Math.Max(maxOpen, open);
            }
            else if (c is ']' or ')')
            {
                open = Math.Max(0, open - 1);
            }
        }

        return maxRun > MaxDepth * 2 || maxOpen > MaxDepth * 2;
    }

    private static int Depth(MarkdownDocument document)
    {
        var max = 0;
        var stack = new Stack<(MarkdownObject Node, int Depth)>();
        stack.Push((document, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            max = Math.Max(max, depth);
            if (depth > MaxDepth)
            {
                return depth;
            }

            switch (node)
            {
                case ContainerBlock container:
                    foreach (var child in container)
                    {
                        stack.Push((child, depth + 1));
                    }

                    break;
                case LeafBlock { Inline: { } inline }:
                    stack.Push((inline, depth + 1));
                    break;
                case ContainerInline inlines:
                    foreach (var child in inlines)
                    {
                        stack.Push((child, depth + 1));
                    }

                    break;
            }
        }

        return max;
    }

    private static void NeutralizeLinks(MarkdownDocument document)
    {
        foreach (var link in document.Descendants<LinkInline>())
        {
            var url = link.Url ?? "";
            if (link.IsImage && !url.StartsWith(BlobPrefix, StringComparison.Ordinal))
            {
                link.IsImage = false; // an image from elsewhere becomes a link to it: nothing loads from outside the archive
            }

            link.Url = HtmlWriter.SafeUrl(url);
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!link.IsEmail)
            {
                link.Url = HtmlWriter.SafeUrl(link.Url);
            }
        }
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var s = new HtmlSanitizer();
        s.AllowedTags.Clear();
        foreach (var tag in new[]
        {
            "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "ins", "mark", "sub", "sup", "code", "pre",
            "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "input", "span", "div",
        })
        {
            s.AllowedTags.Add(tag);
        }

        s.AllowedAttributes.Clear();
        foreach (var attribute in new[] { "href", "src", "alt", "title", "class", "align", "start", "type", "checked", "disabled" })
        {
            s.AllowedAttributes.Add(attribute);
        }

        s.AllowedCssProperties.Clear();
        s.AllowedAtRules.Clear();
        s.AllowedSchemes.Clear();
        s.AllowedSchemes.Add("http");
        s.AllowedSchemes.Add("https");
        s.AllowedSchemes.Add("mailto");
        s.AllowDataAttributes = false;
        s.FilterUrl += (_, e) =>
        {
            if (e.Tag.NodeName.Equals("IMG", StringComparison.OrdinalIgnoreCase) && !e.OriginalUrl.StartsWith(BlobPrefix, StringComparison.Ordinal))
            {
                e.SanitizedUrl = null;
            }
        };
        s.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { NodeName: "A" } a)
            {
                a.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
        s.AllowedAttributes.Add("rel");
        return s;
    }
}
