using System.Text.Json;
using Amber.Viewer.Pages;
using Amber.Viewer.Rendering;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Amber.Viewer.Tests;

/// <summary>
/// The viewer reads like the chat app did (issue 19, must-have 6), in Debian's Chromium: math through the bundled
/// KaTeX with nothing loaded from elsewhere, highlighted code, the page with scripts off, CJK, Arabic and emoji in
/// the Noto fonts, dark mode, a link to one message on a branch not shown by default, and branches by keyboard.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class ReadingBrowserTests(ViewerFixture server, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private string ConversationUrl => Urls.Conversation(server.Reading);

    private string Node(string name) => server.ReadingNodes[name];

    private async Task<(IBrowserContext Context, IPage Page, List<string> Problems)> Open(bool scripts = true, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await browser.Require().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl,
            JavaScriptEnabled = scripts,
            ColorScheme = scheme,
            ViewportSize = new ViewportSize { Width = 1000, Height = 900 },
        });
        context.SetDefaultNavigationTimeout(120_000);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                problems.Add("console error: " + m.Text);
            }
        };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(server.BaseUrl, StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                problems.Add("request off the server: " + r.Url);
            }
        };
        return (context, page, problems);
    }

    /// <summary>Waits until viewer.js has rendered every formula and the fonts in use have loaded.</summary>
    private static async Task MathRendered(IPage page)
    {
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.math').length > 0 && document.querySelectorAll('.math:not(.math-rendered)').length === 0");
        await page.EvaluateAsync("() => document.fonts.ready");
    }

    [Fact]
    public async Task Math_InAllFourDelimiters_RendersWithTheBundledKatex_AndNothingFromElsewhere()
    {
        var (context, page, problems) = await Open();
        await using var _ = context;
        await page.GotoAsync(ConversationUrl);
        await MathRendered(page);

        var answer = page.Locator($"[data-node='{Node("a1")}']");
        await Expect(answer.Locator(".math.math-rendered")).ToHaveCountAsync(4);
        await Expect(answer.Locator(".math.math-rendered .katex")).ToHaveCountAsync(4);
        await Expect(answer.Locator(".katex-display")).ToHaveCountAsync(2);
        await Expect(answer.Locator(".katex-error")).ToHaveCountAsync(0);
        await Expect(answer.Locator(".katex-html").First).ToBeVisibleAsync();
        await Expect(answer.Locator(".content")).ToContainTextAsync("it costs $5 and $6");
        await Expect(answer.Locator("code", new LocatorLocatorOptions { HasText = "$HOME" })).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => document.fonts.check('16px KaTeX_Main') && document.fonts.check('16px KaTeX_Math')"), "KaTeX's fonts did not load");
        var fonts = await page.EvaluateAsync<string[]>("() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)");
        Assert.Contains(fonts, f => f.Contains("KaTeX_Math", StringComparison.Ordinal));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task HostileMath_MakesNoLinkAndNoStyle_AndBrokenTexStaysAsSource()
    {
        var (context, page, problems) = await Open();
        await using var _ = context;
        await page.GotoAsync(Urls.Conversation(server.Hostile));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.math').length > 0 && document.querySelectorAll('.math:not(.math-rendered):not(.math-error)').length === 0");
        var links = page.Locator(".math a, .katex a");
        await Expect(links).ToHaveCountAsync(0); // \href and \url are not trusted
        await Expect(page.Locator(".math [data-x], .math [style*='url']")).ToHaveCountAsync(0);
        var broken = page.Locator(".math.math-error");
        await Expect(broken.First).ToBeVisibleAsync();
        var sources = await broken.EvaluateAllAsync<string[]>("els => els.map(e => e.textContent.trim())");
        Assert.All(sources, t => Assert.True(t.StartsWith("\\(", StringComparison.Ordinal) || t.StartsWith("\\[", StringComparison.Ordinal), t));
        Assert.False(string.IsNullOrEmpty(await broken.First.GetAttributeAsync("title")));
        Assert.False(await page.EvaluateAsync<bool>("() => window.__pwned !== undefined"));
        Assert.True(problems.Count == 0, string.Join("\n", problems)); // no CSP report: KaTeX's error box is never drawn
    }

    [Fact]
    public async Task Code_IsHighlighted_InLightAndDarkColours()
    {
        var (light, lightPage, problems) = await Open();
        await using var _ = light;
        await lightPage.GotoAsync(ConversationUrl);
        var keyword = lightPage.Locator("pre.hl .keyword").First;
        await Expect(keyword).ToHaveTextAsync("import");
        var plain = await lightPage.Locator("pre.hl code").EvaluateAsync<string>("e => getComputedStyle(e).color");
        var lightKeyword = await keyword.EvaluateAsync<string>("e => getComputedStyle(e).color");
        var comment = await lightPage.Locator("pre.hl .comment").First.EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.NotEqual(plain, lightKeyword);
        Assert.NotEqual(plain, comment);

        var (dark, darkPage, darkProblems) = await Open(scheme: ColorScheme.Dark);
        await using var __ = dark;
        await darkPage.GotoAsync(ConversationUrl);
        var darkKeyword = await darkPage.Locator("pre.hl .keyword").First.EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.NotEqual(lightKeyword, darkKeyword);
        Assert.True(problems.Count + darkProblems.Count == 0, string.Join("\n", problems.Concat(darkProblems)));
    }

    [Fact]
    public async Task DarkMode_FollowsPrefersColorScheme()
    {
        async Task<(string Body, string User, string Text)> Colours(ColorScheme scheme)
        {
            var (context, page, _) = await Open(scheme: scheme);
            await using var c = context;
            await page.GotoAsync(ConversationUrl);
            return (await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"),
                await page.Locator(".node.role-user").First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"),
                await page.EvaluateAsync<string>("() => getComputedStyle(document.body).color"));
        }

        var light = await Colours(ColorScheme.Light);
        var dark = await Colours(ColorScheme.Dark);
        Assert.NotEqual(light.Body, dark.Body);
        Assert.NotEqual(light.User, dark.User);
        Assert.True(Luminance(dark.Body) < 0.2 && Luminance(light.Body) > 0.8, $"light body {light.Body}, dark body {dark.Body}");
        Assert.True(Luminance(dark.Text) > 0.7 && Luminance(light.Text) < 0.3, $"light text {light.Text}, dark text {dark.Text}");
    }

    private static double Luminance(string rgb)
    {
        var parts = rgb[(rgb.IndexOf('(', StringComparison.Ordinal) + 1)..rgb.IndexOf(')', StringComparison.Ordinal)].Split(',').Take(3).Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture) / 255).ToArray();
        return (0.2126 * parts[0]) + (0.7152 * parts[1]) + (0.0722 * parts[2]);
    }

    [Fact]
    public async Task CjkArabicAndEmoji_AreDrawnWithNotoFonts_AndArabicReadsRightToLeft()
    {
        if (!Directory.Exists("/usr/share/fonts/opentype/noto") || !Directory.Exists("/usr/share/fonts/truetype/noto"))
        {
            Assert.Skip("Debian's Noto fonts are missing: apt-get install -y fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji (.ci/run does).");
        }

        var (context, page, problems) = await Open();
        await using var _ = context;
        await page.GotoAsync(ConversationUrl);
        await page.EvaluateAsync("() => document.fonts.ready");

        // Chromium reports the platform fonts that drew a node's text: each script must have found a real font.
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("DOM.enable");
        await cdp.SendAsync("CSS.enable");
        var root = (await cdp.SendAsync("DOM.getDocument"))!.Value.GetProperty("root").GetProperty("nodeId").GetInt32();
        async Task<string[]> FontsOf(string selector)
        {
            var node = (await cdp.SendAsync("DOM.querySelector", new Dictionary<string, object> { ["nodeId"] = root, ["selector"] = selector }))!.Value.GetProperty("nodeId").GetInt32();
            var fonts = (await cdp.SendAsync("CSS.getPlatformFontsForNode", new Dictionary<string, object> { ["nodeId"] = node }))!.Value.GetProperty("fonts");
            return [.. fonts.EnumerateArray().Select(f => f.GetProperty("familyName").GetString()!)];
        }

        var multilingual = await FontsOf($"[data-node='{Node("q2")}'] .content .plain, [data-node='{Node("q2")}'] .content p");
        Assert.Contains(multilingual, f => f.StartsWith("Noto Sans CJK", StringComparison.Ordinal));
        Assert.Contains("Noto Color Emoji", multilingual);
        var arabic = await FontsOf($"[data-node='{Node("a3")}'] .content .plain, [data-node='{Node("a3")}'] .content p");
        Assert.Contains(arabic, f => f.Contains("Arabic", StringComparison.Ordinal));

        var direction = await page.Locator($"[data-node='{Node("a3")}'] .block.text").EvaluateAsync<string>("e => getComputedStyle(e).direction");
        Assert.Equal("rtl", direction);
        var latinDirection = await page.Locator($"[data-node='{Node("q1")}'] .block.text").EvaluateAsync<string>("e => getComputedStyle(e).direction");
        Assert.Equal("ltr", latinDirection);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LinkToAMessage_OnABranchNotShownByDefault_OpensThatBranchAndMarksIt(bool scripts)
    {
        var (context, page, problems) = await Open(scripts);
        await using var _ = context;
        await page.GotoAsync(ConversationUrl);
        var older = Node("a2");
        await Expect(page.Locator($"[data-node='{older}']")).ToHaveCountAsync(0);
        var link = page.Locator($"[data-node='{Node("a1")}'] a.node-link");
        Assert.Equal(Urls.NodePage(Node("a1")), await link.GetAttributeAsync("href"));

        await page.GotoAsync(Urls.NodePage(older));
        var target = page.Locator($"[data-node='{older}']");
        await Expect(target).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{Node("a1")}']")).ToHaveCountAsync(0);
        Assert.Contains("leaf=", page.Url, StringComparison.Ordinal);
        Assert.EndsWith("#" + Urls.NodeAnchor(older), page.Url, StringComparison.Ordinal);
        Assert.True(await target.EvaluateAsync<bool>("e => e.matches(':target')"));
        Assert.NotEqual("none", await target.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task ScriptsOff_PageStillReads_MathShowsItsSource_CodeIsHighlighted_BranchesSwitch()
    {
        var (context, page, problems) = await Open(scripts: false);
        await using var _ = context;
        await page.GotoAsync(ConversationUrl);
        var answer = page.Locator($"[data-node='{Node("a1")}']");
        await Expect(answer.Locator(".math").First).ToHaveTextAsync("\\(A = \\pi r^2\\)");
        await Expect(answer.Locator(".math.display").First).ToContainTextAsync("\\sum_{n=1}^{\\infty}");
        await Expect(page.Locator(".katex")).ToHaveCountAsync(0);
        await Expect(answer.Locator("pre.hl .keyword").First).ToHaveTextAsync("import");
        await Expect(page.Locator("#keys-help")).ToBeHiddenAsync();

        await page.Locator("nav.fork a.branch-link").First.ClickAsync();
        await Expect(page.Locator($"[data-node='{Node("a2")}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{Node("a1")}']")).ToHaveCountAsync(0);
        await Expect(page.Locator($"[data-node='{Node("a2")}'] .math")).ToHaveTextAsync("\\(A = 2\\pi r\\)");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Keyboard_JAndKMoveBetweenMessages_BracketsSwitchTheFocusedMessagesBranch()
    {
        var (context, page, problems) = await Open();
        await using var _ = context;
        await page.GotoAsync(ConversationUrl);
        await Expect(page.Locator("#keys-help")).ToBeVisibleAsync();
        var fork = page.Locator("nav.fork");
        var shortcuts = await fork.Locator("a.branch-link").EvaluateAllAsync<string[]>("links => links.map(l => l.getAttribute('aria-keyshortcuts'))");
        Assert.NotEmpty(shortcuts);
        Assert.All(shortcuts, k => Assert.Contains(k, (string[])["[", "]"]));

        async Task<string?> Focused() => await page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.getAttribute('data-node')");
        await page.Keyboard.PressAsync("j");
        Assert.Equal(Node("q1"), await Focused());
        await page.Keyboard.PressAsync("j");
        Assert.Equal(Node("a1"), await Focused());
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("k");
        Assert.Equal(Node("a1"), await Focused());

        // The answer is one of two: the key that leads to the other one is the one that is not disabled.
        var first = (await fork.Locator(".fork-pos").TextContentAsync())!.StartsWith("1 /", StringComparison.Ordinal);
        await page.Keyboard.PressAsync(first ? "]" : "[");
        await Expect(page.Locator($"[data-node='{Node("a2")}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{Node("a1")}']")).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync($"() => document.activeElement && document.activeElement.getAttribute('data-node') === '{Node("a2")}'");
        Assert.Contains("leaf=", page.Url, StringComparison.Ordinal);

        await page.Keyboard.PressAsync(first ? "[" : "]");
        await Expect(page.Locator($"[data-node='{Node("a1")}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{Node("a2")}']")).ToHaveCountAsync(0);

        // Typing in the search box is typing, not navigation.
        await page.FocusAsync("form.search input[name=q]");
        await page.Keyboard.TypeAsync("[j]");
        await Expect(page.Locator($"[data-node='{Node("a1")}']")).ToBeVisibleAsync();
        Assert.Equal("[j]", await page.InputValueAsync("form.search input[name=q]"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void KatexPath_NamesTheVersionVendored()
        => Assert.Contains("\"" + StaticAssets.KatexVersion + "\"", File.ReadAllText(Path.Combine(Amber.Testing.RepositoryRoot.Path, "src", "Amber.Viewer", "Static", "katex", "katex.min.js")), StringComparison.Ordinal);
}
