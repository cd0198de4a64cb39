using Microsoft.Playwright;

namespace Amber.Viewer.Tests;

/// <summary>
/// One headless Debian Chromium (/usr/bin/chromium, installed by .ci/run) driven by Playwright for all browser
/// tests. No browser is downloaded: the executable path is always given.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public IPlaywright? Playwright { get; private set; }

    public IBrowser? Browser { get; private set; }

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        Directory.CreateDirectory(ScreenshotFolder);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>The browser, or a skip naming what is missing.</summary>
    public IBrowser Require()
    {
        if (Browser is null)
        {
            Assert.Skip($"{ChromiumPath} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the browser tests.");
        }

        return Browser!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
    }
}
