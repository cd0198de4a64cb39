using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Viewer.Html;
using Amber.Viewer.Rendering;

namespace Amber.Viewer.Tests;

/// <summary>Safe rendering without a server: the HTML writer, Markdown, the allow-list check and tier explanations.</summary>
public sealed class RenderingTests
{
    private static string Page(SafeHtml html) => "<html><body>" + html.Value + "</body></html>";

    [Fact]
    public void Markdown_RendersFormattingCodeAndSafeLinks()
    {
        var html = MarkdownRenderer.Render("Some **bold**, `code`, a [site](https://example.com) and\n\n```cs\nvar x = 1 < 2;\n```").Value;
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<code>code</code>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.com\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"language-cs\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
        Assert.Equal("var x = 1 < 2;", HtmlChecks.Parse(Page(MarkdownRenderer.Render("```cs\nvar x = 1 < 2;\n```"))).QuerySelector("pre code")!.TextContent.TrimEnd());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Markdown_HostileInput_ProducesNoActiveContent(string text)
    {
        var doc = HtmlChecks.Parse(Page(MarkdownRenderer.Render(text)));
        Assert.Empty(HtmlChecks.ActiveContent(doc));
        Assert.Empty(doc.QuerySelectorAll("body script, body iframe, body svg, body form, body object, body base"));
    }

    public static TheoryData<string> Hostile() => [.. ViewerSamples.HostileTexts];

    [Fact]
    public void Markdown_ImagesOnlyFromTheBlobStore()
    {
        var html = MarkdownRenderer.Render("![ok](/api/blobs/abcd?type=image/png) ![remote](https://example.com/x.png)").Value;
        var doc = HtmlChecks.Parse(Page(new HtmlWriter().Html(MarkdownRenderer.Render("![ok](/api/blobs/abcd?type=image/png) ![remote](https://example.com/x.png)")).ToSafeHtml()));
        Assert.Equal(["/api/blobs/abcd?type=image/png"], doc.QuerySelectorAll("img").Select(i => i.GetAttribute("src")));
        Assert.Contains("href=\"https://example.com/x.png\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_DeeplyNestedAndHugeInput_FallsBackToPlainText()
    {
        var deep = MarkdownRenderer.Render(new string('>', 50_000) + " x");
        Assert.StartsWith("<div class=\"plain\">", deep.Value, StringComparison.Ordinal);
        var nestedLists = MarkdownRenderer.Render(string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i * 2) + "- item\n")));
        Assert.Empty(HtmlChecks.ActiveContent(HtmlChecks.Parse(Page(nestedLists))));
        var huge = MarkdownRenderer.Render(new string('*', 10) + new string('a', MarkdownRenderer.MaxMarkdownLength));
        Assert.StartsWith("<div class=\"plain\">", huge.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<p>a <strong>b</strong> <a href=\"https://x.example/\">c</a></p>\n", true)]
    [InlineData("<pre><code class=\"language-js\">a &lt; b\n</code></pre>\n", true)]
    [InlineData("<img src=\"/api/blobs/ab\" alt=\"x\" />", true)]
    [InlineData("<ul>\n<li><input disabled=\"disabled\" type=\"checkbox\" /> task</li>\n</ul>\n", true)]
    [InlineData("<script>x</script>", false)]
    [InlineData("<p onclick=\"x\">a</p>", false)]
    [InlineData("<a href=\"javascript:x\">a</a>", false)]
    [InlineData("<a href=\"&#106;avascript:x\">a</a>", false)]
    [InlineData("<a href=x>a</a>", false)]
    [InlineData("<img src=\"https://evil.example/x.png\" />", false)]
    [InlineData("<td style=\"text-align: left\">a</td>", false)]
    [InlineData("a > b", false)]
    [InlineData("<p>a</p", false)]
    public void AllowListCheck_AcceptsOnlyTheAllowList(string html, bool passes)
    {
        Assert.Equal(passes, AllowListCheck.Passes(html));
    }

    [Fact]
    public void HtmlWriter_EncodesTextAndAttributes_AndRefusesHandlers()
    {
        var w = new HtmlWriter();
        w.Element("p", "<script>x</script>", ("title", "\"><b>"));
        Assert.Equal("<p title=\"&quot;&gt;&lt;b&gt;\">&lt;script&gt;x&lt;/script&gt;</p>", w.ToString());
        Assert.Throws<ArgumentException>(() => new HtmlWriter().Open("p", ("onclick", "x")));
        Assert.Throws<ArgumentException>(() => new HtmlWriter().Open("p", ("style", "x")));
        Assert.Throws<ArgumentException>(() => new HtmlWriter().Open("p x", ("class", "x")));
        Assert.Equal("<a href=\"#\">x</a>", new HtmlWriter().Link("javascript:alert(1)", "x").ToString());
        Assert.Equal("<a href=\"#\">x</a>", new HtmlWriter().Link("//evil.example/", "x").ToString());
        Assert.Equal("<a href=\"/conversations/ab?leaf=cd\">x</a>", new HtmlWriter().Link("/conversations/ab?leaf=cd", "x").ToString());
    }

    [Theory]
    [InlineData(" javascript:x", "#")]
    [InlineData("JAVASCRIPT:x", "#")]
    [InlineData("data:text/html,x", "#")]
    [InlineData("/\\evil", "#")]
    [InlineData("https://ok.example/", "https://ok.example/")]
    [InlineData("mailto:a@b.example", "mailto:a@b.example")]
    [InlineData("#n-1", "#n-1")]
    public void SafeUrl_KeepsOnlyRelativeHttpAndMailto(string url, string expected)
    {
        Assert.Equal(expected, HtmlWriter.SafeUrl(url));
    }

    [Fact]
    public void ContentRenderer_ShowsEveryBlockKind_ThinkingCollapsed()
    {
        var blob = "sha256:" + new string('c', 64);
        var html = ContentRenderer.Render(
        [
            new TextBlock("hello"),
            new ThinkingBlock("pondering"),
            new BlobBlock("image", blob, "image/png", "cat.png", 10),
            new BlobBlock("attachment", blob, "text/html", "page.html"),
            new ToolCallBlock("call_1", "lookup", new JsonObject { ["q"] = "x" }),
            new ToolResultBlock("call_1", [new TextBlock("result text")], IsError: true),
            new OpaqueBlock("openai", "web_search_call", new JsonObject { ["id"] = "ws_1" }),
        ]);
        var doc = HtmlChecks.Parse(Page(html));
        Assert.Null(doc.QuerySelector("details.thinking")!.GetAttribute("open"));
        Assert.Equal(["/api/blobs/" + new string('c', 64) + "?type=image%2Fpng"], doc.QuerySelectorAll("img").Select(i => i.GetAttribute("src")));
        Assert.Contains(doc.QuerySelectorAll("a[download]"), a => a.TextContent == "page.html" && a.GetAttribute("href")!.Contains("download=1", StringComparison.Ordinal));
        Assert.Contains("lookup", doc.QuerySelector(".tool-call")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("result text", doc.QuerySelector(".tool-result.error")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("web_search_call", doc.QuerySelector("details.opaque")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TierExplanation_NamesTheMissingFields()
    {
        var hosted = new ModelReference { Provider = "openai", Requested = "gpt-4o" };
        var node = new Node { Role = "assistant", Generation = new GenerationRecord { Model = hosted.Id } };
        Assert.Equal(Tier.T4, TierGrader.Grade(node, hosted));
        Assert.Equal(["model.resolved", "generation.parameters"], TierExplanation.MissingFor(node, hosted, Tier.T3));
        var exact = ViewerSamples.LocalModel;
        var t2 = new Node { Role = "assistant", Generation = new GenerationRecord { Model = exact.Id, Parameters = [], Seed = 1, PromptTokenIds = [1], OutputTokenIds = [2] } };
        Assert.Equal(Tier.T2, TierGrader.Grade(t2, exact));
        Assert.Equal(["generation.state"], TierExplanation.MissingFor(t2, exact, Tier.T1));
        Assert.Empty(TierExplanation.MissingFor(t2, exact, Tier.T2));
        var user = new Node { Role = "user" };
        Assert.Empty(TierExplanation.ForPath([user], _ => null));
        var path = TierExplanation.ForPath([user, node], id => id == hosted.Id ? hosted : null);
        Assert.Equal(1, Assert.Single(path).Index);
    }

    [Fact]
    public void Contiguous_FillsMissingMonths()
    {
        Assert.Equal(["2024-11", "2024-12", "2025-01", "2025-02"], Charts.DashboardCharts.Contiguous(["2025-02", "2024-11"]));
        Assert.Equal(["2024-01", "odd"], Charts.DashboardCharts.Contiguous(["odd", "2024-01"]));
    }
}
