using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>`amber import` of Open WebUI, LibreChat and Chatbot UI exports from ../shared/samples, and `show --raw` of them.</summary>
public sealed class ChatAppImportCommandTests
{
    private static string Sample(string relative) => SharedData.RequireSample(relative);

    [Theory]
    [InlineData("openwebui-chat-openwebui-importer/webui-json.json", "openwebui")]
    [InlineData("librechat-export-fixtures/librechat-tree.json", "librechat")]
    [InlineData("chatbotui-export-librechat-fixtures/chatbotui-export.json", "chatbot-ui")]
    public void Import_ChatAppExport_DetectsFormatAndShowRawGivesTheSourceObjectsBack(string relative, string format)
    {
        using var cli = new CliRunner();
        var file = Sample(relative);
        var source = JsonNode.Parse(File.ReadAllBytes(file))!;
        var expected = format == "chatbot-ui" ? [.. source["history"]!.AsArray()] : new List<JsonNode?> { source };

        var (exit, output, err) = cli.Run("import", file, "--json");

        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal(format, (string?)Assert.Single(summary["files"]!.AsArray())!["format"]);
        Assert.Equal(expected.Count, summary["new_conversations"]!.GetValue<int>());
        var listed = cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(expected.Count, listed.Count);
        foreach (var entry in listed)
        {
            Assert.Equal(format, entry["format"]!.GetValue<string>());
            var raw = cli.Run("show", entry["id"]!.GetValue<string>(), "--raw");
            Assert.Equal(0, raw.Exit);
            var parsed = JsonNode.Parse(raw.Out);
            Assert.Contains(expected, e => JsonNode.DeepEquals(e, parsed));
        }

        var again = JsonNode.Parse(cli.Run("import", file, "--json").Out)!;
        Assert.Equal((0, 0), (again["new_conversations"]!.GetValue<int>(), again["new_nodes"]!.GetValue<int>()));
        Assert.Equal(0, cli.Run("verify").Exit);
    }
}
