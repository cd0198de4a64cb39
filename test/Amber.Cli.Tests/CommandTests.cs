using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

public sealed class CommandTests
{
    [Fact]
    public void Init_FreshFolder_CreatesArchiveAndRefusesASecondTime()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = cli.Run("init");
        Assert.Equal(0, exit);
        Assert.Contains("Created an empty archive", output, StringComparison.Ordinal);
        var again = cli.Run("init");
        Assert.Equal(1, again.Exit);
        Assert.Contains("already holds an archive", again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ls_NoArchive_FailsWithAClearMessage()
    {
        using var cli = new CliRunner();
        var (exit, _, err) = cli.Run("ls");
        Assert.Equal(1, exit);
        Assert.Contains("No Amber archive", err, StringComparison.Ordinal);
        Assert.Contains("amber init", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ls_Json_PrintsNewestFirstWithEveryContractField()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(5);
        var (exit, output, _) = cli.Run("ls", "--json");
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(5, lines.Count);
        foreach (var field in new[] { "id", "source", "format", "title", "nodes", "instances", "models", "tier", "created" })
        {
            Assert.All(lines, l => Assert.True(l.ContainsKey(field), $"missing {field}"));
        }

        Assert.Equal(seeded.Select(s => s.Conversation).Reverse(), lines.Select(l => l["id"]!.GetValue<string>()));
        Assert.Equal(2, lines[0]["instances"]!.GetValue<int>());
        Assert.Equal("T3", lines[0]["tier"]!.GetValue<string>());
    }

    [Fact]
    public void Ls_CountAndInstances_CapsAndListsLeaves()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(4);
        var capped = cli.Run("ls", "-n", "2", "--json");
        Assert.Equal(2, capped.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var instances = cli.Run("ls", "--instances", "--json", "-n", "100");
        var ids = instances.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(seeded.SelectMany(s => s.Leaves).ToHashSet(), ids);
        var table = cli.Run("ls");
        Assert.Contains("Sample 3", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_Conversation_PrintsTheTreeWithBranchesAndModel()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(1);
        var (exit, output, _) = cli.Run("show", seeded[0].Conversation[7..19]);
        Assert.Equal(0, exit);
        Assert.Contains("gpt-4o-2024-08-06", output, StringComparison.Ordinal);
        Assert.Contains("[1/2]", output, StringComparison.Ordinal);
        Assert.Contains("Question 0 (seed 0)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_Json_HasEveryNodeAndInstance()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(1);
        var (exit, output, _) = cli.Run("show", seeded[0].Conversation, "--json");
        Assert.Equal(0, exit);
        var doc = JsonNode.Parse(output)!;
        Assert.Equal(seeded[0].Conversation, doc["id"]!.GetValue<string>());
        Assert.Equal(doc["nodes"]!.GetValue<int>(), doc["node_list"]!.AsArray().Count);
        Assert.Equal(2, doc["instance_list"]!.AsArray().Count);
    }

    [Fact]
    public void Show_Raw_PrintsTheSourceObjectJsonEqual()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(2);
        var (exit, output, _) = cli.Run("show", seeded[1].Conversation, "--raw");
        Assert.Equal(0, exit);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(seeded[1].Raw), JsonNode.Parse(output)));
    }

    [Fact]
    public void Show_InstanceId_PrintsRootToLeafTranscript()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(1);
        var leaf = seeded[0].Leaves[1];
        var (exit, output, _) = cli.Run("show", leaf, "--json");
        Assert.Equal(0, exit);
        var path = JsonNode.Parse(output)!["node_list"]!.AsArray();
        Assert.Equal(leaf, path[^1]!["id"]!.GetValue<string>());
        Assert.Null(path[0]!["parent"]);
        for (var i = 1; i < path.Count; i++)
        {
            Assert.Equal(path[i - 1]!["id"]!.GetValue<string>(), path[i]!["parent"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Show_UnknownId_FailsNamingTheProblem()
    {
        using var cli = new CliRunner();
        cli.Seed(1);
        var (exit, _, err) = cli.Run("show", "deadbeefdead");
        Assert.Equal(1, exit);
        Assert.Contains("no conversation or node has this id", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_Json_FindsTheConversationWithHighlights()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(3);
        var (exit, output, _) = cli.Run("search", "\"seed 2\"", "--json");
        Assert.Equal(0, exit);
        var hits = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.Equal(seeded[2].Conversation, h["conversation"]!.GetValue<string>()));
        Assert.Contains("«seed 2»", hits[0]["snippet"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Search_Newest_GivesTheMostRecentlyArchivedMessagesFirst()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(3);
        var (exit, output, _) = cli.Run("search", "question", "--newest", "-n", "3", "--json");
        Assert.Equal(0, exit);
        var hits = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.Equal(seeded[2].Conversation, h["conversation"]!.GetValue<string>()));
        Assert.Contains("«Question»", hits[0]["snippet"]!.GetValue<string>(), StringComparison.Ordinal);

        // Ranked (the default) is another order: the best match of all three conversations.
        var (_, ranked, _) = cli.Run("search", "question", "-n", "30", "--json");
        Assert.Contains(ranked.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => JsonNode.Parse(l)!["conversation"]!.GetValue<string>() == seeded[0].Conversation);
    }

    [Fact]
    public void Stats_Json_ReportsCountsBytesRatioTiersAndModels()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        var (exit, output, _) = cli.Run("stats", "--json");
        Assert.Equal(0, exit);
        var s = JsonNode.Parse(output)!;
        Assert.Equal(3, s["conversations"]!.GetValue<long>());
        Assert.Equal(6, s["instances"]!.GetValue<long>());
        Assert.True(s["raw_bytes"]!.GetValue<long>() > 0);
        Assert.True(s["stored_bytes"]!.GetValue<long>() > 0);
        Assert.True(s["ratio"]!.GetValue<double>() > 0);
        Assert.Equal(6, s["instances_by_tier"]!["T3"]!.GetValue<long>());
        Assert.True(s["turns_by_model"]!["gpt-4o-2024-08-06"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void Verify_HealthyArchive_ExitsZero()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        var (exit, output, _) = cli.Run("verify");
        Assert.Equal(0, exit);
        Assert.StartsWith("ok:", output, StringComparison.Ordinal);
        var json = cli.Run("verify", "--json");
        Assert.True(JsonNode.Parse(json.Out)!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public void Verify_SecondRun_UsesTheMemo_FullChecksAgain_AndDamageAfterItIsFound()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        Assert.Equal(0, cli.Run("verify").Exit);

        var second = JsonNode.Parse(cli.Run("verify", "--json").Out)!;
        Assert.Equal("used", second["memo"]!.GetValue<string>());
        Assert.DoesNotContain(second["deep_checked"]!.AsArray(), u => u!.GetValue<string>() == "seg-000001.amb");
        Assert.Contains(second["fixity_only"]!.AsArray(), u => u!["unit"]!.GetValue<string>() == "seg-000001.amb" && u["check_version"]!.GetValue<int>() >= 1);
        Assert.True(second["fixity_bytes"]!.GetValue<long>() >= second["bytes"]!.GetValue<long>());
        var text = cli.Run("verify");
        Assert.StartsWith("ok:", text.Out, StringComparison.Ordinal);
        Assert.Contains("unchanged: seg-000001.amb since ", text.Out, StringComparison.Ordinal);

        var full = JsonNode.Parse(cli.Run("verify", "--json", "--full").Out)!;
        Assert.Equal("ignored", full["memo"]!.GetValue<string>());
        Assert.Contains(full["deep_checked"]!.AsArray(), u => u!.GetValue<string>() == "seg-000001.amb");
        Assert.Empty(full["fixity_only"]!.AsArray());

        cli.FlipFirstSegmentByte(200, 0x20);
        var (exit, _, err) = cli.Run("verify");
        Assert.Equal(1, exit);
        Assert.Contains("CRC-32C mismatch", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FlippedByte_ExitsNonZeroNamingTheFault()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        cli.FlipFirstSegmentByte(200, 0x20);
        var (exit, _, err) = cli.Run("verify");
        Assert.Equal(1, exit);
        Assert.Contains("FAULT: seg-000001.amb at offset", err, StringComparison.Ordinal);
        Assert.Contains("CRC-32C mismatch", err, StringComparison.Ordinal);
    }

    [Fact]
    public void IndexRebuild_AfterIndexDeleted_RestoresListing()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        var before = cli.Run("ls", "--json").Out;
        var rebuilt = cli.Run("index", "rebuild");
        Assert.Equal(0, rebuilt.Exit);
        Assert.Contains("Rebuilt the index", rebuilt.Out, StringComparison.Ordinal);
        Assert.Equal(before, cli.Run("ls", "--json").Out);
    }

    [Fact]
    public void AmberProcess_VerifyOnFlippedArchive_ExitsOneInARealProcess()
    {
        using var cli = new CliRunner();
        cli.Seed(1);
        var dll = Path.Combine(AppContext.BaseDirectory, "amber.dll");
        var ok = RunProcess(dll, "--archive", cli.ArchiveDir, "verify");
        Assert.Equal(0, ok.Exit);
        cli.FlipFirstSegmentByte(100, 0x01);
        var bad = RunProcess(dll, "--archive", cli.ArchiveDir, "verify", "--json");
        Assert.Equal(1, bad.Exit);
        Assert.False(JsonDocument.Parse(bad.Out).RootElement.GetProperty("ok").GetBoolean());
    }

    private static (int Exit, string Out) RunProcess(string dll, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", ["exec", dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = stderr.Result;
        return (p.ExitCode, stdout);
    }
}
