using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Amber.Viewer.Tests;

/// <summary>Parses a page like a browser would and finds anything content could have made active.</summary>
internal static class HtmlChecks
{
    public static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    /// <summary>Scripts other than the viewer's own file and the bundled KaTeX, event-handler or style attributes, and script-capable URLs.</summary>
    public static List<string> ActiveContent(IDocument document)
    {
        var problems = new List<string>();
        foreach (var e in document.All)
        {
            var tag = e.LocalName;
            if (tag == "script" && e.GetAttribute("src") is not ("/static/viewer.js" or Pages.StaticAssets.KatexPath + "katex.min.js"))
            {
                problems.Add("script element: " + Cut(e.OuterHtml));
            }

            if (tag is "iframe" or "object" or "embed" or "svg" or "base" or "frame" or "style" or "meta" && e.Closest("head") is null)
            {
                problems.Add($"{tag} element: " + Cut(e.OuterHtml));
            }

            foreach (var a in e.Attributes)
            {
                var value = a.Value.Trim().ToLowerInvariant();
                if (a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name == "style")
                {
                    problems.Add($"attribute {a.Name} on {tag}: " + Cut(e.OuterHtml));
                }

                if (a.Name is "href" or "src" or "action" or "formaction" && (value.StartsWith("javascript:", StringComparison.Ordinal) || value.StartsWith("data:", StringComparison.Ordinal) || value.StartsWith("vbscript:", StringComparison.Ordinal)))
                {
                    problems.Add($"{a.Name}={a.Value} on {tag}");
                }

                if (tag == "img" && a.Name == "src" && !value.StartsWith("/api/blobs/", StringComparison.Ordinal) && !value.StartsWith("/charts/", StringComparison.Ordinal))
                {
                    problems.Add($"image from {a.Value}");
                }
            }
        }

        return problems;
    }

    private static string Cut(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
