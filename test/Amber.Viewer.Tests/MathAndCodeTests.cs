using Amber.Viewer.Rendering;

namespace Amber.Viewer.Tests;

/// <summary>What the server marks for KaTeX and how it highlights code, without a browser.</summary>
public sealed class MathAndCodeTests
{
    private static AngleSharp.Dom.IDocument Render(string markdown)
        => HtmlChecks.Parse("<html><body>" + MarkdownRenderer.Render(markdown).Value + "</body></html>");

    private static string[] Math(string markdown)
        => [.. Render(markdown).QuerySelectorAll(".math").Select(e => (e.ClassList.Contains("display") || e.LocalName == "div" ? "display:" : "inline:") + e.TextContent.Trim())];

    [Theory]
    [InlineData("area $A = \\pi r^2$ here", "inline:\\(A = \\pi r^2\\)")]
    [InlineData("Euler \\(e^{i\\pi} + 1 = 0\\) here", "inline:\\(e^{i\\pi} + 1 = 0\\)")]
    [InlineData("sum \\[\\sum_n \\frac{1}{n^2}\\] here", "display:\\[\\sum_n \\frac{1}{n^2}\\]")]
    [InlineData("inline display $$x^2$$ here", "display:\\[x^2\\]")]
    [InlineData("$$\nx < y\n$$", "display:\\[\nx < y\n\\]")]
    [InlineData("\\[\na + b\n\\]", "display:\\[a + b\\]")]
    [InlineData("an escaped dollar $a \\$ b$ stays inside", "inline:\\(a \\$ b\\)")]
    public void Math_InEachDelimiter_IsMarkedWithItsSource(string markdown, string expected)
        => Assert.Equal([expected], Math(markdown));

    [Theory]
    [InlineData("It costs $5 and $6 today.")]
    [InlineData("From $ 5 to 6$ is not math.")]
    [InlineData("Closing before a digit: $a$5 is prose.")]
    [InlineData("Shell: echo $HOME and $PATH")]
    [InlineData("it costs $5 and $6, and `$HOME` is code")]
    [InlineData("`$x$` and `\\(y\\)` are code.")]
    [InlineData("```\n$x$ \\(y\\) $$z$$\n```")]
    [InlineData("    $x$ in indented code")]
    [InlineData("an escaped \\$x\\$ pair")]
    [InlineData("no closing \\( here")]
    public void Prices_CodeAndEscapes_AreNotMath(string markdown)
        => Assert.Empty(Math(markdown));

    [Fact]
    public void Math_ItsSourceIsEncoded_NotMarkup()
    {
        var html = MarkdownRenderer.Render("$a<b>c$ and \\(<img src=x>\\)").Value;
        Assert.Contains("\\(a&lt;b&gt;c\\)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }

    [Fact]
    public void FencedCode_InAKnownLanguage_IsHighlightedWithClasses()
    {
        var doc = Render("```python\ndef area(r):\n    # a comment\n    return 3.14 * r ** 2 < 'x'\n```");
        var pre = doc.QuerySelector("pre.hl")!;
        Assert.Equal("language-python", pre.QuerySelector("code")!.ClassName);
        Assert.Contains("def", pre.QuerySelectorAll(".keyword").Select(e => e.TextContent));
        Assert.Contains("# a comment", pre.QuerySelectorAll(".comment").Select(e => e.TextContent));
        Assert.Contains("'x'", pre.QuerySelectorAll(".string").Select(e => e.TextContent));
        Assert.Equal("def area(r):\n    # a comment\n    return 3.14 * r ** 2 < 'x'", pre.TextContent.TrimEnd());
        Assert.Empty(HtmlChecks.ActiveContent(doc));
    }

    [Theory]
    [InlineData("```\nplain\n```")]
    [InlineData("```brainfuck\n+[-->-[>>+>-----<<]<--<---]>-.\n```")]
    [InlineData("    indented")]
    public void Code_WithoutAKnownLanguage_StaysPlain(string markdown)
    {
        var doc = Render(markdown);
        Assert.NotNull(doc.QuerySelector("pre code"));
        Assert.Null(doc.QuerySelector("pre.hl"));
        Assert.Empty(doc.QuerySelectorAll("pre span"));
    }

    [Fact]
    public void HighlightedCode_PassesTheAllowListCheck_SoTheSanitizerIsNotNeeded()
    {
        var html = MarkdownRenderer.Render("```cs\nvar s = \"<script>\"; // <b>\n```\n\n```json\n{\"a\": [1, true]}\n```").Value;
        Assert.True(AllowListCheck.Passes(html), html);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }
}
