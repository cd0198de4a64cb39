using Amber.Transparency.Receipts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Amber.Viewer.Tests;

/// <summary>
/// The viewer in a real browser: list, search, a branched conversation (built here, and one imported from
/// ../shared/corpus), branch switching, a model card, a receipt download; and hostile content that must not
/// run. Screenshots go to TestResults/screenshots in the test output folder.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class BrowserTests(ViewerFixture server, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<(IBrowserContext Context, IPage Page, List<string> Problems)> Open()
    {
        var context = await browser.Require().NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl, AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        // A first navigation of a fresh Chromium on a loaded 2-core CI machine has taken over 30 s (Playwright's default);
        // what these tests check is what the page does, not how fast it loads.
        context.SetDefaultNavigationTimeout(120_000);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Dialog += (_, d) =>
        {
            problems.Add("dialog: " + d.Message);
            _ = d.DismissAsync();
        };
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                problems.Add("console error: " + m.Text);
            }
        };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        return (context, page, problems);
    }

    private static Task Shot(IPage page, string name)
        => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png"), FullPage = false });

    [Fact]
    public async Task Tour_BuiltBranchedConversation_ListSearchSwitchModelCardReceipt()
    {
        var (context, page, problems) = await Open();
        await using var _ = context;
        var n = server.BranchedNodes;

        await page.GotoAsync("/?source=viewer-tests");
        await Expect(page.Locator("#conversations")).ToContainTextAsync("Kettle questions");
        await Shot(page, "1-list");

        await page.FillAsync("form.search input[name=q]", "\"kettle whistle\"");
        await page.PressAsync("form.search input[name=q]", "Enter");
        await Expect(page.Locator("#hits mark").First).ToHaveTextAsync("kettle whistle", new LocatorAssertionsToHaveTextOptions { IgnoreCase = true });
        Assert.Contains("q=", page.Url, StringComparison.Ordinal);
        await Shot(page, "2-search");

        await page.Locator("#hits a.hit-link").First.ClickAsync();
        await Expect(page.Locator($"[data-node='{n["q1"]}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{n["revival"]}']")).ToBeVisibleAsync();
        await Expect(page.Locator(".fork-marker")).ToContainTextAsync("Revival");
        await Expect(page.Locator("details.thinking")).Not.ToHaveAttributeAsync("open", "");
        await Shot(page, "3-conversation");

        await page.Locator("nav.fork a.branch-link[aria-label='next branch']").ClickAsync();
        await Expect(page.Locator($"[data-node='{n["a2"]}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{n["q2"]}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-node='{n["a1"]}']")).ToHaveCountAsync(0);
        await Expect(page.Locator("nav.fork .fork-pos")).ToHaveTextAsync("2 / 2");
        Assert.Contains("leaf=", page.Url, StringComparison.Ordinal);
        await Shot(page, "4-other-branch");

        await page.Locator("nav.fork a.branch-link[aria-label='previous branch']").ClickAsync();
        await Expect(page.Locator($"[data-node='{n["a1"]}']")).ToBeVisibleAsync();
        await page.ClickAsync("#toggle-thinking");
        await Expect(page.Locator("details.thinking").First).ToHaveAttributeAsync("open", "");
        await page.ClickAsync("#toggle-hidden");
        await Expect(page.Locator($"[data-node='{n["system"]}']")).ToHaveAttributeAsync("open", "");

        await page.Locator($"[data-node='{n["a1"]}'] a.model-link").ClickAsync();
        await Expect(page.Locator("#model-card")).ToContainTextAsync("engine.build");
        await Expect(page.Locator("#model-card")).ToContainTextAsync("avx2");
        await Shot(page, "5-model-card");

        await page.GoBackAsync();
        await Expect(page.Locator("#receipt-status")).ToContainTextAsync("Verified");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#receipt-download"));
        var file = Path.Combine(BrowserFixture.ScreenshotFolder, "receipt.tlog-proof");
        await download.SaveAsAsync(file);
        var receipt = TlogProof.Parse(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        Assert.True(receipt.Verify(server.Archive.Log.Verifier).IsValid);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Tour_ImportedCorpusTree_SearchSwitchBranchesReceipt()
    {
        if (server.CorpusBranched is null)
        {
            Assert.Skip(Amber.Testing.SharedData.MissingMessage + " (needed: shared/corpus/oasst-en100-trees)");
        }

        var (context, page, problems) = await Open();
        await using var _ = context;
        var view = server.Archive.GetConversation(server.CorpusBranched!)!;
        var summary = view.Summary;
        var userText = view.Tree.Nodes.Values.Where(x => x.Role == "user" && !x.Flags.Contains(Amber.Core.Model.NodeFlags.Hidden))
            .Select(x => x.SearchText.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).First(words => words.Length >= 4);
        var phrase = string.Join(' ', userText.Take(4)).Replace("\"", "", StringComparison.Ordinal);

        await page.GotoAsync("/?n=500&source=" + Uri.EscapeDataString(summary.Source));
        await Expect(page.Locator($"#conversations a[href='/conversations/{Rendering.Urls.Hex(summary.Id)}']")).ToHaveCountAsync(1);
        await Shot(page, "corpus-1-list");
        await page.FillAsync("form.search input[name=q]", "\"" + phrase + "\"");
        await page.PressAsync("form.search input[name=q]", "Enter");
        await Expect(page.Locator("#hits mark").First).ToBeVisibleAsync();
        await Shot(page, "corpus-2-search");
        await page.Locator($"#hits a.hit-link[href^='/conversations/{Rendering.Urls.Hex(summary.Id)}']").First.ClickAsync();
        await Expect(page.Locator("#messages")).ToBeVisibleAsync();

        var fork = page.Locator("nav.fork").First;
        await Expect(fork).ToBeVisibleAsync();
        var before = await page.Locator("#messages [data-node]").Last.GetAttributeAsync("data-node");
        var position = await fork.Locator(".fork-pos").TextContentAsync();
        var direction = position!.StartsWith("1 /", StringComparison.Ordinal) ? "next branch" : "previous branch";
        await fork.Locator($"a.branch-link[aria-label='{direction}']").ClickAsync();
        await Expect(page.Locator($"#messages [data-node='{before}']")).ToHaveCountAsync(0);
        await Shot(page, "corpus-3-branch");

        await page.Locator("article a.model-link").First.ClickAsync();
        await Expect(page.Locator("#model-card")).ToContainTextAsync("provider");
        await Shot(page, "corpus-4-model-card");
        await page.GoBackAsync();

        await Expect(page.Locator("#receipt-status")).ToContainTextAsync("Verified");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#receipt-download"));
        var receipt = TlogProof.Parse(await File.ReadAllBytesAsync((await download.PathAsync())!, TestContext.Current.CancellationToken));
        Assert.True(receipt.Verify(server.Archive.Log.Verifier).IsValid);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task HostileContent_RunsNoScript_AndInjectsNoElements()
    {
        var (context, page, problems) = await Open();
        await using var _ = context;
        foreach (var url in new[] { "/conversations/" + Rendering.Urls.Hex(server.Hostile), "/?q=pwned", "/dashboard", "/" })
        {
            await page.GotoAsync(url);
            var toggles = page.Locator("#toggle-hidden, #toggle-thinking");
            for (var i = 0; i < await toggles.CountAsync(); i++)
            {
                await toggles.Nth(i).ClickAsync();
            }

            foreach (var details in await page.Locator("details").AllAsync())
            {
                await details.EvaluateAsync("d => d.open = true");
            }

            await page.Mouse.MoveAsync(200, 300);
            var pwned = await page.EvaluateAsync<bool>("() => window.__pwned !== undefined");
            Assert.False(pwned, "a script from content ran on " + url);
            // KaTeX's own output (inside .katex) sets sizes through element.style, which the CSP allows, and draws some
            // glyphs as SVG; everything else must hold no style attribute and no SVG.
            var injected = await page.EvaluateAsync<string[]>("""
                () => {
                  const found = [];
                  for (const e of document.querySelectorAll('*')) {
                    const tag = e.localName;
                    const katex = e.closest('.katex, .katex-error') !== null;
                    if (tag === 'script' && !(e.getAttribute('src') === '/static/viewer.js' || /^\/static\/katex-[0-9.]+\/katex\.min\.js$/.test(e.getAttribute('src')))) found.push('script');
                    if (['iframe', 'object', 'embed', 'svg', 'form', 'base', 'style'].includes(tag) && !(katex && tag === 'svg') && !(tag === 'form' && (e.classList.contains('search') || e.classList.contains('filters')))) found.push(tag);
                    for (const a of e.attributes) {
                      if (a.name.startsWith('on') || (a.name === 'style' && !katex)) found.push(tag + '[' + a.name + ']');
                      if (/^\s*(javascript|data|vbscript):/i.test(a.value) && ['href', 'src', 'action'].includes(a.name)) found.push(tag + '[' + a.name + '=' + a.value + ']');
                    }
                  }
                  return found;
                }
                """);
            Assert.Empty(injected);
            await Shot(page, "hostile-" + (url.Length > 1 ? url.Split('/', '?')[1] : "list"));
        }

        Assert.DoesNotContain(problems, p => p.StartsWith("dialog", StringComparison.Ordinal));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
