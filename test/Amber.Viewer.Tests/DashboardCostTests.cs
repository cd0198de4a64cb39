using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Cost;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;
using Amber.Viewer.Charts;

namespace Amber.Viewer.Tests;

/// <summary>
/// The dashboard's cost panel on a small archive of known usage: one gpt-4o turn of 1000 tokens in and 500 out
/// (0.0025 + 0.005 = 0.0075 USD at 2.50/10 per million) and one turn of a model no table prices.
/// </summary>
public sealed class DashboardCostTests
{
    [Fact]
    public async Task Dashboard_CostPanel_ShowsTheInferenceSpend_TheBudgetLine_AndItsChart()
    {
        var ct = TestContext.Current.CancellationToken;
        using var archives = new TestArchives(FileSystemKind.Local);
        using var archive = archives.Init();
        Commit(archive);
        var storage = new StoragePrices { UsdPerGbMonth = 0.01m, Replicas = 2, HorizonYears = 5 };
        await using var app = AmberServer.Build(archive, new AmberServerOptions { Listen = "127.0.0.1:0", Cost = new CostPricing(PriceTable.Default, storage) });
        await app.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var doc = HtmlChecks.Parse(await http.GetStringAsync("/dashboard", ct));

        Assert.Equal("$0.0075", doc.QuerySelector("#cost-inference")!.TextContent);
        Assert.Equal("1,010 / 505", doc.QuerySelector("#cost-tokens")!.TextContent);
        Assert.Equal("mystery-model-1", doc.QuerySelector("#cost-unpriced")!.TextContent);
        // Storage: the archive's bytes at 0.01 USD per GB-month, 2 copies, 60 months, against the 0.0075 spent.
        // The archive's files change size as the index checkpoints its WAL, so the bytes are read off the page (the size
        // the panel priced) and checked against the archive's own count, then the price is worked out from them.
        var shown = System.Text.RegularExpressions.Regex.Match(doc.QuerySelector("#cost-storage")!.TextContent, @"\(([0-9,]+) bytes x 2 replicas x 5 years");
        Assert.True(shown.Success, doc.QuerySelector("#cost-storage")!.TextContent);
        var bytes = long.Parse(shown.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.InRange(bytes, archive.GetUsage().ArchiveBytes / 4, archive.GetUsage().ArchiveBytes * 4);
        var storageUsd = bytes / (1024m * 1024m * 1024m) * 0.01m * 2 * 60;
        Assert.Equal(
            $"storage is {CostFormat.Percent(storageUsd / 0.0075m * 100m)} % of inference spend; budget 0.1 % ({(storageUsd / 0.0075m * 100m <= 0.1m ? "within" : "over")})",
            doc.QuerySelector("#cost-budget")!.TextContent);

        var chart = doc.QuerySelector("#cost img")!.GetAttribute("src")!;
        using var svg = await http.GetAsync(chart, ct);
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
        var text = await svg.Content.ReadAsStringAsync(ct);
        Assert.Contains("inference (list prices)", text, StringComparison.Ordinal);
        Assert.Contains("storage (over the horizon)", text, StringComparison.Ordinal);
        Assert.Contains("2025-03", text, StringComparison.Ordinal);
        await app.StopAsync(ct);
    }

    private static void Commit(Archive archive)
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "synthetic", SourceId = "cost", Created = "2025-03-01T10:00:00Z" });
        var gpt = batch.AddModel(new ModelReference { Provider = "openai", Requested = "gpt-4o" });
        var other = batch.AddModel(new ModelReference { Provider = "local", Requested = "mystery-model-1" });
        var q = part.AddNode(new Node { Role = "user", Content = [new TextBlock("What is amber?")], Created = "2025-03-01T10:00:00Z" });
        var a = part.AddNode(new Node
        {
            Parent = q,
            Role = "assistant",
            Content = [new TextBlock("Fossil resin.")],
            Created = "2025-03-01T10:00:01Z",
            Generation = new GenerationRecord { Model = gpt, Usage = new JsonObject { ["prompt_tokens"] = 1000, ["completion_tokens"] = 500 } },
        });
        part.AddNode(new Node
        {
            Parent = a,
            Role = "assistant",
            Content = [new TextBlock("Also: tree sap.")],
            Created = "2025-03-01T10:00:02Z",
            Generation = new GenerationRecord { Model = other, Usage = new JsonObject { ["input_tokens"] = 10, ["output_tokens"] = 5 } },
        });
        archive.Commit(batch);
    }
}
