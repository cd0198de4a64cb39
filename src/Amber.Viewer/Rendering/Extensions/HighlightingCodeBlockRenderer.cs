using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace Amber.Viewer.Rendering.Extensions;

/// <summary>Fenced code in a language <see cref="CodeHighlighter"/> knows is highlighted; any other code block is written by Markdig's own renderer.</summary>
public sealed class HighlightingCodeBlockRenderer(CodeBlockRenderer plain) : HtmlObjectRenderer<CodeBlock>
{
    protected override void Write(HtmlRenderer renderer, CodeBlock obj)
    {
        // The name comes from the alias table (letters, digits, '#', '+'), never straight from the message.
        if (obj is FencedCodeBlock fenced && CodeHighlighter.Language(fenced.Info, out var name) is { } language
            && CodeHighlighter.Highlight(obj.Lines.ToString(), language) is { } html)
        {
            renderer.EnsureLine();
            renderer.Write("<pre class=\"hl\"><code class=\"language-").Write(name).Write("\">");
            renderer.Write(html);
            renderer.Write("</code></pre>");
            renderer.EnsureLine();
            return;
        }

        plain.Write(renderer, obj);
    }
}
