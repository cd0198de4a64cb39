using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Time;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>A conversation's <c>updated</c> in <c>ls --json</c> and <c>show --json</c> is the source's own update time, not the import's.</summary>
public sealed class UpdatedTimeCommandTests
{
    private static string Sample(string relative) => SharedData.RequireSample(relative);

    [Fact]
    public void ChatGptImport_UpdatedIsTheExportsUpdateTime_NotTheImportTime_AndReimportAddsNothing()
    {
        using var cli = new CliRunner();
        var file = Sample("chatgpt-export-elinvoss/conversations.json");

        // Expected from the raw file: each conversation's update_time (unix seconds) as an instant, by its id.
        var expected = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var c in JsonNode.Parse(File.ReadAllBytes(file))!.AsArray())
        {
            var seconds = decimal.Parse(c!["update_time"]!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
            expected[c["id"]!.GetValue<string>()] = DateTimeOffset.UnixEpoch.AddTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond));
        }

        Assert.Equal(15, expected.Count);
        var start = DateTimeOffset.UtcNow;
        var (exit, _, err) = cli.Run("import", file, "--json");
        Assert.True(exit == 0, err);

        var listed = Listed(cli);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Select(l => l["source_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var entry in listed)
        {
            var want = expected[entry["source_id"]!.GetValue<string>()];
            var updated = Timestamps.Parse(entry["updated"]!.GetValue<string>())!.Value;
            Assert.True((updated - want).Duration() <= TimeSpan.FromTicks(10), $"{entry["source_id"]}: updated {entry["updated"]}, update_time {want:O}");
            Assert.True(updated < start, $"{entry["source_id"]}: updated {entry["updated"]} is not before the import");

            var shown = JsonNode.Parse(cli.Run("show", entry["id"]!.GetValue<string>(), "--json").Out)!;
            Assert.Equal(entry["updated"]!.GetValue<string>(), shown["updated"]!.GetValue<string>());
            Assert.Equal(Timestamps.Parse(shown["record"]!["updated"]!.GetValue<string>()), updated);
        }

        var again = JsonNode.Parse(cli.Run("import", file, "--json").Out)!;
        Assert.Equal(0, again["new_conversations"]!.GetValue<int>());
        Assert.Equal(0, again["new_nodes"]!.GetValue<int>());
        Assert.Equal(
            listed.Select(l => l["updated"]!.GetValue<string>()).Order(StringComparer.Ordinal),
            Listed(cli).Select(l => l["updated"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    [Theory]
    [InlineData("claude-export-nexus/Claude.json")]
    [InlineData("grok-export-openwebui-importer/grok_example.json")]
    [InlineData("deepseek-web-raw-ceyaima/DeepSeek - test_chat_raw_2025-11-22T15-53-07.json")]
    [InlineData("gemini-cli-codemie/session-2025-12-01T21-45-5b959dae.json")]
    public void ChatAppImport_UpdatedIsTheSourcesOwnUpdateTime(string relative)
    {
        using var cli = new CliRunner();
        var file = Sample(relative);
        var source = JsonNode.Parse(File.ReadAllBytes(file))!;

        // Expected from the raw file, by the conversation's source id: each format's own update-time field.
        var expected = relative.Split('/')[0] switch
        {
            "claude-export-nexus" => source.AsArray().ToDictionary(c => c!["uuid"]!.GetValue<string>(), c => Iso(c!["updated_at"])),
            "grok-export-openwebui-importer" => source["conversations"]!.AsArray().Select(e => e!["conversation"]!)
                .ToDictionary(c => c["conversation_id"]!.GetValue<string>(), c => Iso(c["modify_time"])),
            "deepseek-web-raw-ceyaima" => new[] { source["data"]!["biz_data"]!["chat_session"]! }
                .ToDictionary(c => c["id"]!.GetValue<string>(), c => DateTimeOffset.UnixEpoch.AddTicks((long)decimal.Round(decimal.Parse(c["updated_at"]!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond))),
            _ => new Dictionary<string, DateTimeOffset> { [source["sessionId"]!.GetValue<string>()] = Iso(source["lastUpdated"]) },
        };

        Assert.NotEmpty(expected);
        var (exit, _, err) = cli.Run("import", file, "--json");
        Assert.True(exit == 0, err);
        var listed = Listed(cli);
        Assert.NotEmpty(listed); // an export's conversations without messages are not imported, so `listed` may be fewer
        foreach (var entry in listed)
        {
            var want = expected[entry["source_id"]!.GetValue<string>()];
            var updated = Timestamps.Parse(entry["updated"]!.GetValue<string>())!.Value;
            Assert.True((updated - want).Duration() <= TimeSpan.FromTicks(10), $"{entry["source_id"]}: updated {entry["updated"]}, expected {want:O}");
        }
    }

    [Fact]
    public void CapturedConversation_UpdatedIsItsCommitTime()
    {
        using var cli = new CliRunner();
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var seeded = cli.Seed(1);
        var listed = Assert.Single(Listed(cli));
        Assert.Equal(seeded[0].Conversation, listed["id"]!.GetValue<string>());
        var updated = Timestamps.Parse(listed["updated"]!.GetValue<string>())!.Value;
        Assert.InRange(updated, start, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    private static DateTimeOffset Iso(JsonNode? value) => DateTimeOffset.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static List<JsonNode> Listed(CliRunner cli)
        => [.. cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];
}
