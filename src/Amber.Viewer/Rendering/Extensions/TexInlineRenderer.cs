using Markdig.Renderers;
using Markdig.Renderers.Html;

namespace Amber.Viewer.Rendering.Extensions;

/// <summary>
/// Math as its TeX source in a <c>span.math</c> (with its delimiters, so it reads as TeX with scripts off);
/// viewer.js hands those elements to the bundled KaTeX.
/// </summary>
public sealed class TexInlineRenderer : HtmlObjectRenderer<TexInline>
{
    protected override void Write(HtmlRenderer renderer, TexInline obj)
    {
        renderer.Write(obj.Display ? "<span class=\"math display\">\\[" : "<span class=\"math\">\\(");
        renderer.WriteEscape(obj.Tex);
        renderer.Write(obj.Display ? "\\]</span>" : "\\)</span>");
    }
}
