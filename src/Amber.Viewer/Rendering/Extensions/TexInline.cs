using Markdig.Syntax.Inlines;

namespace Amber.Viewer.Rendering.Extensions;

/// <summary>TeX found in prose: <c>$…$</c> or <c>\(…\)</c> inline, <c>$$…$$</c> or <c>\[…\]</c> as display math.</summary>
public sealed class TexInline : LeafInline
{
    public required string Tex { get; init; }

    public required bool Display { get; init; }
}
