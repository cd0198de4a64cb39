using Amber.Testing;
using Amber.Viewer.Rendering;
using Microsoft.Playwright;

namespace Amber.Viewer.Tests;

/// <summary>
/// The look of one conversation (<see cref="ReadingSamples"/>: math, code, CJK, Arabic, emoji) at a fixed viewport,
/// compared with test/Amber.Viewer.Tests/Golden/reading-light.png within <see cref="ScreenshotComparison"/>'s tolerance.
/// The reference is made with the fonts .ci/run installs (Debian's Noto); <c>AMBER_UPDATE_GOLDEN=1</c> rewrites it.
/// On a mismatch the actual image and a diff (differing pixels in red) are written beside the test output and named.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class ScreenshotTests(ViewerFixture server, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    public static string Reference { get; } = Path.Combine(RepositoryRoot.Path, "test", "Amber.Viewer.Tests", "Golden", "reading-light.png");

    private static bool Updating => Environment.GetEnvironmentVariable("AMBER_UPDATE_GOLDEN") == "1";

    /// <summary>The messages of the reading conversation as a PNG; <paramref name="change"/> runs in the page first (a test of the test).</summary>
    private async Task<byte[]> Shoot(string? change = null)
    {
        if (!Directory.Exists("/usr/share/fonts/opentype/noto") || !Directory.Exists("/usr/share/fonts/truetype/noto"))
        {
            Assert.Skip("the reference image is drawn with Debian's Noto fonts: apt-get install -y fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji (.ci/run does).");
        }

        var context = await browser.Require().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl,
            ViewportSize = new ViewportSize { Width = 900, Height = 1200 },
            DeviceScaleFactor = 1,
            ColorScheme = ColorScheme.Light,
            Locale = "en-US",
            ReducedMotion = ReducedMotion.Reduce,
        });
        await using var _ = context;
        context.SetDefaultNavigationTimeout(120_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Urls.Conversation(server.Reading));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.math').length > 0 && document.querySelectorAll('.math:not(.math-rendered)').length === 0");
        await page.EvaluateAsync("() => document.fonts.ready");
        if (change is not null)
        {
            await page.EvaluateAsync(change);
        }

        return await page.Locator("#messages").ScreenshotAsync(new LocatorScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide, Scale = ScreenshotScale.Css });
    }

    [Fact]
    public async Task ReadingConversation_LooksLikeTheReference()
    {
        var actual = await Shoot();
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Reference)!);
            await File.WriteAllBytesAsync(Reference, actual, TestContext.Current.CancellationToken);
            return;
        }

        if (!File.Exists(Reference))
        {
            Assert.Fail($"{Reference} is missing: run the tests with AMBER_UPDATE_GOLDEN=1 to make it, then look at it before committing.");
        }

        var result = ScreenshotComparison.Compare(await File.ReadAllBytesAsync(Reference, TestContext.Current.CancellationToken), actual);
        if (!result.Matches)
        {
            var actualPath = Path.Combine(BrowserFixture.ScreenshotFolder, "reading-light.actual.png");
            var diffPath = Path.Combine(BrowserFixture.ScreenshotFolder, "reading-light.diff.png");
            await File.WriteAllBytesAsync(actualPath, actual, TestContext.Current.CancellationToken);
            if (result.Diff is not null)
            {
                ScreenshotComparison.WritePng(result.Diff, diffPath);
            }

            Assert.Fail($"the reading conversation looks different from {Reference}: {result}. Actual: {actualPath}; diff: {(result.Diff is null ? "(none: sizes differ)" : diffPath)}. If the change is intended, run with AMBER_UPDATE_GOLDEN=1 and review the image.");
        }

        result.Diff?.Dispose();
    }

    [Theory]
    [InlineData("() => { for (const n of document.querySelectorAll('.node.role-user')) n.style.backgroundColor = '#e3f0ff'; }")]
    [InlineData("() => { for (const p of document.querySelectorAll('pre.hl .keyword')) p.style.color = '#1d1d1f'; for (const m of document.querySelectorAll('.katex')) m.style.fontSize = '1.3em'; }")]
    [InlineData("() => { document.body.style.fontSize = '16px'; }")]
    public async Task ARealChange_FallsOutsideTheTolerance(string change)
    {
        if (!File.Exists(Reference) || Updating)
        {
            Assert.Skip($"{Reference} is missing or being rewritten.");
        }

        var result = ScreenshotComparison.Compare(await File.ReadAllBytesAsync(Reference, TestContext.Current.CancellationToken), await Shoot(change));
        result.Diff?.Dispose();
        Assert.False(result.Matches, $"a visible change still matched the reference: {result}");
    }
}
