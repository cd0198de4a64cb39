using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Parsers;
using Markdig.Parsers.Inlines;
using Markdig.Renderers;
using Markdig.Renderers.Html;

namespace Amber.Viewer.Rendering.Extensions;

/// <summary>What makes messages read like the chat app: math marked for KaTeX (inline and <c>$$</c> fences) and highlighted code.</summary>
public sealed class ViewerMarkdownExtension : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
        if (!pipeline.InlineParsers.Contains<TexInlineParser>())
        {
            pipeline.InlineParsers.InsertBefore<EscapeInlineParser>(new TexInlineParser());
        }

        if (!pipeline.BlockParsers.Contains<MathBlockParser>())
        {
            pipeline.BlockParsers.InsertBefore<ParagraphBlockParser>(new MathBlockParser());
        }
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is not HtmlRenderer html)
        {
            return;
        }

        html.ObjectRenderers.AddIfNotAlready<TexInlineRenderer>();
        if (!html.ObjectRenderers.Contains<HtmlMathBlockRenderer>())
        {
            html.ObjectRenderers.InsertBefore<CodeBlockRenderer>(new HtmlMathBlockRenderer()); // a MathBlock is a FencedCodeBlock
        }

        if (html.ObjectRenderers.Find<CodeBlockRenderer>() is { } plain)
        {
            html.ObjectRenderers.Replace<CodeBlockRenderer>(new HighlightingCodeBlockRenderer(plain));
        }
    }
}
