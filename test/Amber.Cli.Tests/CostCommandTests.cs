using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Cli.Tests;

/// <summary>
/// <c>amber cost</c> on a small archive whose token counts and prices are known, every figure computed by hand here:
/// gpt-4o at 2.50/10 USD per million, claude-sonnet-4 at 3/15, a model no table prices, and a prompt with no model.
/// </summary>
public sealed class CostCommandTests
{
    private const string TenantA = "tenant:0123456789abcdef0123456789abcdef";

    // 1000 in, 500 out at gpt-4o: 1000 * 2.50 / 1e6 + 500 * 10 / 1e6 = 0.0025 + 0.005.
    private const decimal Gpt4oUsd = 0.0075m;

    // Anthropic counts cache writes beside input_tokens and cache reads apart: (2000 + 100) * 3 / 1e6 + 1000 * 15 / 1e6.
    private const decimal SonnetUsd = 0.0063m + 0.015m;

    // S3 Standard 0.023 USD per GB-month, 3 replicas, 10 years: 0.023 * 3 * 120 = 8.28 USD per GB kept.
    private const decimal DefaultUsdPerGb = 8.28m;

    [Fact]
    public void Cost_Json_PricesKnownTokensByHand_AndReportsStorageAgainstTheBudget()
    {
        using var cli = new CliRunner();
        Build(cli);

        var (exit, output, err) = cli.Run("cost", "--json");

        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(output)!.AsObject();
        var bytes = json["archive_bytes"]!.GetValue<long>();
        Assert.True(bytes >= SegmentBytes(cli), $"the archive's bytes ({bytes}) include its segments ({SegmentBytes(cli)})");
        Assert.Equal(Gpt4oUsd + SonnetUsd, json["inference_usd"]!.GetValue<decimal>());
        var storage = Math.Round(bytes * DefaultUsdPerGb / (1024m * 1024m * 1024m), 10);
        Assert.Equal(storage, json["storage_usd"]!.GetValue<decimal>());
        Assert.Equal(Math.Round(storage / (Gpt4oUsd + SonnetUsd) * 100m, 4), Math.Round(json["percent_of_inference"]!.GetValue<decimal>(), 4));
        Assert.Equal(0.1m, json["budget_percent"]!.GetValue<decimal>());
        Assert.Equal(json["percent_of_inference"]!.GetValue<decimal>() <= 0.1m, json["within_budget"]!.GetValue<bool>());
        Assert.Equal((1000L + 2100 + 300, 500L + 1000 + 100), (json["tokens_in"]!.GetValue<long>(), json["tokens_out"]!.GetValue<long>()));

        // The unknown model is listed with its tokens, and counted as unpriced, not as zero dollars.
        var unpriced = json["unpriced"]!;
        Assert.Equal((1L, 300L, 100L), (unpriced["turns"]!.GetValue<long>(), unpriced["tokens_in"]!.GetValue<long>(), unpriced["tokens_out"]!.GetValue<long>()));
        Assert.Equal("mystery-model-1", Assert.Single(unpriced["models"]!.AsArray())!.GetValue<string>());

        var rows = json["rows"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var gpt = Row(rows, TenantA, "gpt-4o-2024-08-06", "2025-01");
        Assert.Equal((1L, 1000L, 500L, Gpt4oUsd), (gpt["turns"]!.GetValue<long>(), gpt["tokens_in"]!.GetValue<long>(), gpt["tokens_out"]!.GetValue<long>(), gpt["inference_usd"]!.GetValue<decimal>()));
        Assert.Equal("gpt-4o", gpt["price"]!["model"]!.GetValue<string>());
        Assert.Equal("https://openai.com/api/pricing/", gpt["price"]!["source"]!.GetValue<string>());
        var sonnet = Row(rows, TenantA, "claude-sonnet-4-20250514", "2025-02");
        Assert.Equal((2100L, 1000L, SonnetUsd), (sonnet["tokens_in"]!.GetValue<long>(), sonnet["tokens_out"]!.GetValue<long>(), sonnet["inference_usd"]!.GetValue<decimal>()));
        var mystery = Row(rows, "(no tenant)", "mystery-model-1", "2025-02");
        Assert.Null(mystery["inference_usd"]);
        Assert.True(mystery["unpriced"]!.GetValue<bool>());
        var prompts = rows.Where(r => r["model"]!.GetValue<string>() == "(no model)").ToList();
        Assert.NotEmpty(prompts);
        Assert.All(prompts, r => Assert.False(r["unpriced"]!.GetValue<bool>()));
        // The archive's bytes are shared out over the rows, so the rows' storage adds up to the whole.
        Assert.InRange(rows.Sum(r => r["stored_bytes"]!.GetValue<long>()), bytes - rows.Count, bytes + rows.Count);
        Assert.Equal("2025-08-15", json["parameters"]!["prices_as_of"]!.GetValue<string>());
    }

    [Fact]
    public void Cost_WithAPriceFileAndStorageFlags_UsesThem_AndFiltersByTenantAndMonth()
    {
        using var cli = new CliRunner();
        Build(cli);
        var prices = cli.Combine("prices.json");
        File.WriteAllText(prices, """
            {"as_of":"2026-01-31","models":[
              {"model":"gpt-4o","input_usd_per_million":5,"output_usd_per_million":20,"source":"our contract"},
              {"model":"mystery-model","input_usd_per_million":1,"output_usd_per_million":2}]}
            """);

        var all = JsonNode.Parse(cli.Run("cost", "--json", "--prices", prices, "--storage-usd-per-gb-month", "0.001", "--replicas", "2", "--horizon-years", "5").Out)!;
        // gpt-4o now 1000 * 5 / 1e6 + 500 * 20 / 1e6 = 0.015; mystery-model-1 300 * 1 / 1e6 + 100 * 2 / 1e6 = 0.0005.
        Assert.Equal(0.015m + SonnetUsd + 0.0005m, all["inference_usd"]!.GetValue<decimal>());
        Assert.Equal(0L, all["unpriced"]!["turns"]!.GetValue<long>());
        var bytes = all["archive_bytes"]!.GetValue<long>();
        Assert.Equal(Math.Round(bytes * 0.001m * 2 * 60 / (1024m * 1024m * 1024m), 10), all["storage_usd"]!.GetValue<decimal>());
        Assert.Equal(("2026-01-31", 2, 5m), (all["parameters"]!["prices_as_of"]!.GetValue<string>(), all["parameters"]!["replicas"]!.GetValue<int>(), all["parameters"]!["horizon_years"]!.GetValue<decimal>()));

        var january = JsonNode.Parse(cli.Run("cost", "--json", "--tenant", TenantA, "--month", "2025-01").Out)!;
        Assert.Equal(Gpt4oUsd, january["inference_usd"]!.GetValue<decimal>());
        Assert.All(january["rows"]!.AsArray(), r => Assert.Equal(("2025-01", TenantA), (r!["month"]!.GetValue<string>(), r["tenant"]!.GetValue<string>())));
    }

    [Fact]
    public void Cost_Table_ShowsTheBudgetLine_AndNamesTheUnpricedModel()
    {
        using var cli = new CliRunner();
        Build(cli);

        var (exit, output, _) = cli.Run("cost");

        Assert.Equal(0, exit);
        Assert.Matches(@"storage is [0-9.E+-]+ % of inference spend; budget 0\.1 % \((within|over)\)", output);
        Assert.Contains("unpriced (tokens listed, not counted): mystery-model-1", output, StringComparison.Ordinal);
        Assert.Contains("prices as of 2025-08-15 (amber's table)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"models":[]}""", "\"as_of\"")]
    [InlineData("""{"as_of":"2026-01-31","models":[{"model":"x","input_usd_per_million":"cheap","output_usd_per_million":1}]}""", "models[0] (x): \"input_usd_per_million\"")]
    [InlineData("not json", "not valid JSON")]
    public void Cost_WithABadPriceFile_FailsNamingTheFileAndTheEntry(string content, string expected)
    {
        using var cli = new CliRunner();
        Build(cli);
        var prices = cli.Combine("prices.json");
        File.WriteAllText(prices, content);

        var (exit, _, err) = cli.Run("cost", "--prices", prices);

        Assert.NotEqual(0, exit);
        Assert.Contains(prices, err, StringComparison.Ordinal);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Cost_WithABadMonthOrReplicas_FailsNamingTheOption()
    {
        using var cli = new CliRunner();
        Build(cli);

        Assert.Contains("--month", cli.Run("cost", "--month", "January").Err, StringComparison.Ordinal);
        Assert.Contains("--replicas", cli.Run("cost", "--replicas", "1.5").Err, StringComparison.Ordinal);
        Assert.Contains("replicas must be at least 1", cli.Run("cost", "--replicas", "0").Err, StringComparison.Ordinal);
    }

    private static JsonObject Row(List<JsonObject> rows, string tenant, string model, string month)
        => Assert.Single(rows, r => r["tenant"]!.GetValue<string>() == tenant && r["model"]!.GetValue<string>() == model && r["month"]!.GetValue<string>() == month);

    private static long SegmentBytes(CliRunner cli) => Directory.GetFiles(Path.Combine(cli.ArchiveDir, "segments")).Sum(f => new FileInfo(f).Length);

    /// <summary>Three generated turns with known usage (two tenants' worth of shapes) under their prompts.</summary>
    private static void Build(CliRunner cli)
    {
        using var archive = Archive.Open(new ArchiveOptions { Directory = cli.ArchiveDir, CreateIfMissing = true });
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "synthetic", SourceId = "cost-1", Created = "2025-01-10T10:00:00Z" });
        var gpt = batch.AddModel(new ModelReference { Provider = "openai", Requested = "gpt-4o", Resolved = "gpt-4o-2024-08-06" });
        var sonnet = batch.AddModel(new ModelReference { Provider = "anthropic", Requested = "claude-sonnet-4-20250514" });
        var mystery = batch.AddModel(new ModelReference { Provider = "local", Requested = "mystery-model-1" });
        var q1 = part.AddNode(new Node { Role = "user", Content = [new TextBlock("What is amber?")], Created = "2025-01-10T10:00:00Z" });
        var a1 = part.AddNode(Answer(q1, "Fossil resin.", "2025-01-10T10:00:01Z", gpt, new JsonObject { ["prompt_tokens"] = 1000, ["completion_tokens"] = 500, ["total_tokens"] = 1500 }, TenantA));
        var q2 = part.AddNode(new Node { Parent = a1, Role = "user", Content = [new TextBlock("And jet?")], Created = "2025-02-01T09:00:00Z" });
        var a2 = part.AddNode(Answer(q2, "Fossil wood.", "2025-02-01T09:00:01Z", sonnet,
            new JsonObject { ["input_tokens"] = 2000, ["output_tokens"] = 1000, ["cache_creation_input_tokens"] = 100, ["cache_read_input_tokens"] = 5000 }, TenantA));
        part.AddNode(Answer(a2, "Also coal.", "2025-02-02T09:00:01Z", mystery, new JsonObject { ["input_tokens"] = 300, ["output_tokens"] = 100 }, tenant: null));
        archive.Commit(batch);
    }

    private static Node Answer(string parent, string text, string created, string model, JsonObject usage, string? tenant) => new()
    {
        Parent = parent,
        Role = "assistant",
        Content = [new TextBlock(text)],
        Created = created,
        Generation = new GenerationRecord { Model = model, Usage = usage },
        Meta = tenant is null ? null : new JsonObject { ["tenant"] = tenant },
    };
}
