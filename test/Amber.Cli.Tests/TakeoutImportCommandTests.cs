using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>`amber import` of a Gemini Apps Takeout activity file and a SillyTavern chat from ../shared/samples: the summary's notes, and `show --raw`.</summary>
public sealed class TakeoutImportCommandTests
{
    private const string GroupingNote = "grouped from activity records by time (over 30 minutes between two records starts a new conversation)";

    private static string Sample(string relative) => SharedData.RequireSample(relative);

    [Fact]
    public void Import_GeminiTakeout_JsonAndTextSayHowManyConversationsWereGroupedAndShowRawGivesTheRecords()
    {
        using var cli = new CliRunner();
        var file = Sample("gemini-takeout-adaptiq/MyActivity.json");
        var records = JsonNode.Parse(File.ReadAllBytes(file))!.AsArray();

        var (exit, output, err) = cli.Run("import", file, "--json");

        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        var entry = Assert.Single(summary["files"]!.AsArray())!;
        Assert.Equal("gemini-takeout", (string?)entry["format"]);
        var conversations = summary["conversations"]!.GetValue<int>();
        Assert.Equal(conversations, entry["notes"]![GroupingNote]!.GetValue<int>());
        var listed = cli.Run("ls", "--json", "-n", "1000").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(conversations, listed.Count);
        var shown = 0;
        foreach (var c in listed)
        {
            var raw = JsonNode.Parse(cli.Run("show", c["id"]!.GetValue<string>(), "--raw").Out)!.AsArray();
            Assert.All(raw, r => Assert.Contains(records, s => JsonNode.DeepEquals(s, r)));
            shown += raw.Count;
        }

        Assert.Equal(records.Count, shown); // every record is in exactly one conversation's raw blob

        var text = cli.Run("import", file);
        Assert.Equal(0, text.Exit);
        Assert.Contains($"{file}: {conversations} conversations: {GroupingNote}", text.Err, StringComparison.Ordinal);
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    [Fact]
    public void Import_SillyTavernChat_ShowRawGivesTheFileBack()
    {
        using var cli = new CliRunner();
        var file = Sample("sillytavern-chat-early/1673323621108.jsonl");

        var (exit, output, err) = cli.Run("import", file, "--json");

        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal("sillytavern", (string?)Assert.Single(summary["files"]!.AsArray())!["format"]);
        var id = JsonNode.Parse(cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single())!["id"]!.GetValue<string>();
        Assert.Equal(File.ReadAllText(file).TrimEnd('\n'), cli.Run("show", id, "--raw").Out.TrimEnd('\n'));
        var again = JsonNode.Parse(cli.Run("import", file, "--json").Out)!;
        Assert.Equal((0, 0), (again["new_conversations"]!.GetValue<int>(), again["new_nodes"]!.GetValue<int>()));
    }
}
