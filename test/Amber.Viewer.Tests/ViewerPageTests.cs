using System.Net;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Viewer.Tests;

/// <summary>Every page and viewer API route over plain HTTP against a real server on loopback.</summary>
[Collection(ViewerCollection.Name)]
public sealed class ViewerPageTests(ViewerFixture fixture) : IDisposable
{
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.BaseUrl) };

    public void Dispose() => http.Dispose();

    private async Task<(HttpResponseMessage Response, string Body)> Get(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode}, expected {(int)expected}: {body[..Math.Min(300, body.Length)]}");
        return (response, body);
    }

    [Fact]
    public async Task ListPage_NewestFirst_WithStrictSecurityHeaders()
    {
        var (response, body) = await Get("/");
        Assert.StartsWith("text/html", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var doc = HtmlChecks.Parse(body);
        var links = doc.QuerySelectorAll("#conversations a.conversation-link").Select(a => a.GetAttribute("href")!).ToList();
        Assert.NotEmpty(links);
        var expected = fixture.Archive.PageConversations(links.Count).Select(c => Rendering.Urls.Conversation(c.Id)).ToList();
        Assert.Equal(expected, links);
    }

    [Fact]
    public async Task ListPage_OlderLink_PagesWithoutRepeats()
    {
        var seen = new List<string>();
        var path = "/?n=3";
        for (var guard = 0; guard < 100 && path is not null; guard++)
        {
            var doc = HtmlChecks.Parse((await Get(path)).Body);
            seen.AddRange(doc.QuerySelectorAll("#conversations a.conversation-link").Select(a => a.GetAttribute("href")!));
            path = doc.QuerySelector("#older")?.GetAttribute("href");
        }

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(fixture.Archive.GetStats().Conversations, seen.Count);
    }

    [Fact]
    public async Task ListPage_Filters_ByTierModelSourceAndDate()
    {
        var t2 = HtmlChecks.Parse((await Get("/?tier=T2")).Body).QuerySelectorAll("#conversations tbody tr");
        Assert.All(t2, row => Assert.Equal("T2", row.QuerySelector(".tier")!.TextContent));
        var model = HtmlChecks.Parse((await Get("/?model=" + Uri.EscapeDataString(ViewerSamples.LocalModel.DisplayName))).Body);
        Assert.Equal(["Kettle questions"], model.QuerySelectorAll("#conversations a.conversation-link").Select(a => a.TextContent));
        var source = HtmlChecks.Parse((await Get("/?source=synthetic")).Body);
        Assert.Equal(7, source.QuerySelectorAll("#conversations tbody tr").Length);
        var dated = HtmlChecks.Parse((await Get("/?source=viewer-tests&from=2025-03&to=2025-04")).Body);
        Assert.Equal(["Kettle questions"], dated.QuerySelectorAll("#conversations a.conversation-link").Select(a => a.TextContent));
        await Get("/?tier=T7", HttpStatusCode.BadRequest);
        await Get("/?before=nocursor", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ListPage_WithQ_ShowsHighlightedHitsLinkingToTheNode()
    {
        var doc = HtmlChecks.Parse((await Get("/?q=" + Uri.EscapeDataString("\"kettle whistle\""))).Body);
        var hit = Assert.Single(doc.QuerySelectorAll("#hits li.hit"));
        Assert.Equal(["kettle whistle"], hit.QuerySelectorAll("mark").Select(m => m.TextContent.ToLowerInvariant()));
        Assert.Equal(Rendering.Urls.Conversation(fixture.Branched, fixture.BranchedNodes["q1"], fixture.BranchedNodes["q1"]), hit.QuerySelector("a.hit-link")!.GetAttribute("href"));
        Assert.Equal("\"kettle whistle\"", doc.QuerySelector("form.search input[name=q]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task SearchOfHostileText_EncodesSnippets()
    {
        var (_, body) = await Get("/?q=" + Uri.EscapeDataString("pwned"));
        var doc = HtmlChecks.Parse(body);
        Assert.NotEmpty(doc.QuerySelectorAll("#hits li.hit"));
        Assert.Empty(HtmlChecks.ActiveContent(doc));
    }

    [Fact]
    public async Task ConversationPage_ShowsNewestBranch_WithForkSwitchers()
    {
        var doc = HtmlChecks.Parse((await Get("/conversations/" + fixture.Branched)).Body);
        var nodes = doc.QuerySelectorAll("#messages [data-node]").Select(e => e.GetAttribute("data-node")).ToList();
        var n = fixture.BranchedNodes;
        Assert.Equal([n["system"], n["q1"], n["a1"], n["revival"]], nodes); // the revival is the newest leaf
        var forks = doc.QuerySelectorAll("nav.fork");
        Assert.Single(forks);
        Assert.Equal("1 / 2", forks[0].QuerySelector(".fork-pos")!.TextContent);
        Assert.Equal("regenerated answer", forks[0].QuerySelector(".fork-kind")!.TextContent);
        Assert.NotNull(doc.QuerySelector(".fork-marker"));
        Assert.Equal("details", doc.GetElementById(Rendering.Urls.NodeAnchor(n["system"]))!.LocalName); // system message collapsed
        Assert.Equal("details", doc.QuerySelector("details.thinking")!.LocalName);
        Assert.Null(doc.QuerySelector("details.thinking")!.GetAttribute("open"));
        Assert.Equal("T2", doc.QuerySelector("#instance-tier .tier")!.TextContent);
        var rest = doc.QuerySelector("aside.annotation-rest")!;
        Assert.Contains("Asked to rest", rest.TextContent, StringComparison.Ordinal);
        Assert.Equal(n["a1"], rest.PreviousElementSibling!.GetAttribute("data-node"));
        Assert.Contains("generation.state", doc.QuerySelector("#instance-tier details")!.TextContent, StringComparison.Ordinal);

        var next = forks[0].QuerySelector("a.branch-link")!.GetAttribute("href")!;
        var other = HtmlChecks.Parse((await Get(next)).Body);
        Assert.Equal([n["system"], n["q1"], n["a2"], n["q2"]], other.QuerySelectorAll("#messages [data-node]").Select(e => e.GetAttribute("data-node")).ToList());
        Assert.Equal("2 / 2", other.QuerySelector("nav.fork .fork-pos")!.TextContent);
        Assert.Equal("T3", other.QuerySelector("#instance-tier .tier")!.TextContent);
    }

    [Fact]
    public async Task ConversationPage_ReceiptVerifiesAgainstTheLatestCheckpoint()
    {
        var doc = HtmlChecks.Parse((await Get("/conversations/" + fixture.Branched)).Body);
        Assert.StartsWith("Verified", doc.QuerySelector("#receipt-status")!.TextContent, StringComparison.Ordinal);
        var download = doc.QuerySelector("#receipt-download")!.GetAttribute("href")!;
        var response = await http.GetAsync(download, TestContext.Current.CancellationToken);
        var receipt = Amber.Transparency.Receipts.TlogProof.Parse(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.True(receipt.Verify(fixture.Archive.Log.Verifier).IsValid);
        var api = JsonNode.Parse((await Get("/api/receipts/" + fixture.BranchedNodes["revival"])).Body)!;
        Assert.True(api["valid"]!.GetValue<bool>());
        var page = HtmlChecks.Parse((await Get("/receipts/" + fixture.BranchedNodes["revival"])).Body);
        Assert.StartsWith("Verified", page.QuerySelector("#receipt-status")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipt_WithShortPrefixedId_IsADownload()
    {
        var prefix = "sha256:" + Rendering.Urls.Hex(fixture.BranchedNodes["q2"])[..8];
        var (response, body) = await Get("/receipt/" + prefix);
        Assert.Equal(Rendering.Urls.Hex(fixture.BranchedNodes["q2"])[..8] + ".tlog-proof", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        Assert.StartsWith("c2sp.org/tlog-proof@v1", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConversationPage_LeafParameter_SelectsThatBranch_AndNodeRouteRedirects()
    {
        var n = fixture.BranchedNodes;
        var doc = HtmlChecks.Parse((await Get($"/conversations/{fixture.Branched}?leaf={n["a2"]}")).Body);
        Assert.Equal(n["q2"], doc.QuerySelectorAll("#messages [data-node]").Last().GetAttribute("data-node"));
        var (redirect, _) = await Get("/nodes/" + n["a2"], HttpStatusCode.Redirect);
        Assert.Contains("leaf=" + Rendering.Urls.Hex(n["a2"]), redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
        await Get($"/conversations/{fixture.Branched}?leaf={fixture.Samples[0].Leaves[0]}", HttpStatusCode.NotFound);
        await Get("/conversations/" + new string('0', 64), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ModelPage_ShowsEveryFieldOfTheReference()
    {
        var id = ViewerSamples.LocalModel.Id;
        var doc = HtmlChecks.Parse((await Get("/models/" + Rendering.Urls.Hex(id))).Body);
        var card = doc.QuerySelector("#model-card")!;
        var fields = card.QuerySelectorAll("dt").Select(d => d.TextContent).ToList();
        Assert.Equal(["id", "provider", "requested", "resolved", "fingerprint", "api_version", "weights_sha256", "tokenizer_sha256", "template_sha256", "engine.name", "engine.version", "engine.build", "settings"], fields);
        Assert.Contains("avx2", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("kv_type", card.TextContent, StringComparison.Ordinal);
        var api = JsonNode.Parse((await Get("/api/models/" + Rendering.Urls.Hex(id))).Body)!;
        Assert.Equal("stories260K-q8", api["display_name"]!.GetValue<string>());
        var list = JsonNode.Parse((await Get("/api/models")).Body)!;
        Assert.Contains(list["models"]!.AsArray(), m => m!["id"]!.GetValue<string>() == id);
        await Get("/models/" + new string('0', 64), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TierApi_ExplainsWhatIsMissing()
    {
        var o = JsonNode.Parse((await Get("/api/tiers/" + fixture.BranchedNodes["a2"])).Body)!;
        Assert.Equal("T3", o["tier"]!.GetValue<string>());
        Assert.Equal("T2", o["next"]!.GetValue<string>());
        Assert.Contains("model.weights_sha256", o["missing"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Contains("generation.seed", o["missing"]!.AsArray().Select(x => x!.GetValue<string>()));
    }

    [Fact]
    public async Task RawSourceAndBlobs_ShownAsTextAndServedSafely()
    {
        var view = fixture.Archive.GetConversation(fixture.Branched)!;
        var doc = HtmlChecks.Parse((await Get("/conversations/" + fixture.Branched)).Body);
        var raw = doc.QuerySelector("a.raw-link")!.GetAttribute("href")!;
        var page = HtmlChecks.Parse((await Get(raw)).Body);
        Assert.Contains("\"viewer-tests\"", page.QuerySelector("#raw-object")!.TextContent, StringComparison.Ordinal);

        var hostileView = fixture.Archive.GetConversation(fixture.Hostile)!;
        var htmlBlob = hostileView.Tree.Nodes.Values.SelectMany(nd => nd.Content).OfType<BlobBlock>().First().Blob;
        var (asHtml, _) = await Get(Rendering.Urls.Blob(htmlBlob, "text/html"));
        Assert.Equal("application/octet-stream", asHtml.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", asHtml.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Contains("sandbox", asHtml.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var (asSvg, _) = await Get(Rendering.Urls.Blob(htmlBlob, "image/svg+xml"));
        Assert.Equal("application/octet-stream", asSvg.Content.Headers.ContentType!.MediaType);
        var (asPng, _) = await Get(Rendering.Urls.Blob(htmlBlob, "image/png"));
        Assert.Equal("image/png", asPng.Content.Headers.ContentType!.MediaType);
        Assert.Equal("inline", asPng.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", asPng.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.NotEmpty(view.Raw);
    }

    [Fact]
    public async Task HostileConversation_NothingBecomesActive()
    {
        var (_, body) = await Get("/conversations/" + fixture.Hostile);
        var doc = HtmlChecks.Parse(body);
        Assert.Empty(HtmlChecks.ActiveContent(doc));
        Assert.Contains("<script>" + ViewerSamples.Probe, doc.QuerySelector("h1")!.TextContent, StringComparison.Ordinal); // shown as text
        Assert.True(doc.QuerySelectorAll("#messages [data-node]").Length >= ViewerSamples.HostileTexts.Length + 4);
        Assert.Contains("deep quote", body, StringComparison.Ordinal);
        Assert.Contains("level 2999", body, StringComparison.Ordinal);
        Assert.Contains("innermost", body, StringComparison.Ordinal);
        foreach (var path in new[] { "/", "/dashboard", "/models/" + Rendering.Urls.Hex(fixture.Archive.GetConversation(fixture.Hostile)!.Models.Keys.Single()) })
        {
            Assert.Empty(HtmlChecks.ActiveContent(HtmlChecks.Parse((await Get(path)).Body)));
        }
    }

    [Fact]
    public async Task Dashboard_ShowsCountsTiersModelsCheckpointAndCharts()
    {
        var doc = HtmlChecks.Parse((await Get("/dashboard")).Body);
        var stats = fixture.Archive.GetStats();
        Assert.Contains(stats.Conversations.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), doc.QuerySelector("#stats")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("entries", doc.QuerySelector("#checkpoint")!.TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(doc.QuerySelectorAll("#models a"));
        foreach (var img in doc.QuerySelectorAll(".charts img"))
        {
            var (response, svg) = await Get(img.GetAttribute("src")!);
            Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("<svg", svg, StringComparison.Ordinal);
        }

        var api = JsonNode.Parse((await Get("/api/dashboard")).Body)!;
        Assert.Equal(stats.Conversations, api["stats"]!["conversations"]!.GetValue<long>());
        Assert.Equal(stats.Conversations, api["conversations_by_month"]!.AsArray().Sum(m => m!["value"]!.GetValue<long>()));
        Assert.NotNull(api["checkpoint"]!["root"]);
    }

    [Fact]
    public async Task StaticAssets_ServedAndUnknownAreNotFound()
    {
        var (css, _) = await Get("/static/viewer.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        var (js, _) = await Get("/static/viewer.js");
        Assert.Equal("text/javascript", js.Content.Headers.ContentType!.MediaType);
        await Get("/static/nope.js", HttpStatusCode.NotFound);
        await Get("/charts/nope.svg", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Katex_ServedFromTheAssembly_CachedForGood_WithEveryFontItsStylesheetNames()
    {
        var katex = Pages.StaticAssets.KatexPath;
        var (js, script) = await Get(katex + "katex.min.js");
        Assert.Equal("text/javascript", js.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", js.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"" + Pages.StaticAssets.KatexVersion + "\"", script, StringComparison.Ordinal);
        var (_, css) = await Get(katex + "katex.min.css");
        var fonts = System.Text.RegularExpressions.Regex.Matches(css, @"url\((fonts/[^)]+\.woff2)\)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(fonts.Count >= 19, $"{fonts.Count} woff2 fonts named");
        foreach (var font in fonts)
        {
            var (response, _) = await Get(katex + font);
            Assert.Equal("font/woff2", response.Content.Headers.ContentType!.MediaType);
        }

        Assert.Contains("MIT", (await Get(katex + "LICENSE.txt")).Body, StringComparison.Ordinal);
        await Get(katex + "fonts/nope.woff2", HttpStatusCode.NotFound);
        var (page, body) = await Get(Rendering.Urls.Conversation(fixture.Reading));
        Assert.Equal(Security.SecurityHeaders.PagePolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        var doc = HtmlChecks.Parse(body);
        Assert.Equal(katex + "katex.min.js", doc.QuerySelectorAll("head script").First().GetAttribute("src"));
        Assert.Equal(4, doc.QuerySelectorAll($"[data-node='{fixture.ReadingNodes["a1"]}'] .math").Length);
        Assert.Equal(Rendering.Urls.NodePage(fixture.ReadingNodes["a1"]), doc.QuerySelector($"[data-node='{fixture.ReadingNodes["a1"]}'] a.node-link")!.GetAttribute("href"));
        Assert.Equal("auto", doc.QuerySelector($"[data-node='{fixture.ReadingNodes["a3"]}'] .block.text")!.GetAttribute("dir"));
    }
}
