using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>`amber import` of the DeepSeek, Grok and AI Studio samples of ../shared/samples, and `show --raw` of them.</summary>
public sealed class WebExportImportCommandTests
{
    private static string Sample(string relative) => SharedData.RequireSample(relative);

    [Theory]
    [InlineData("deepseek-web-raw-ceyaima/DeepSeek - test_chat_raw_2025-11-22T15-53-07.json", "deepseek", 11)]
    [InlineData("grok-export-openwebui-importer/grok_example.json", "grok", 10)]
    [InlineData("google-aistudio-openwebui-importer/aistudio_example.json", "aistudio", 3)]
    public void Import_WebExport_DetectsFormatAndShowRawGivesTheSourceObjectBack(string relative, string format, int nodes)
    {
        using var cli = new CliRunner();
        var file = Sample(relative);
        var source = JsonNode.Parse(File.ReadAllBytes(file))!;
        var expected = format == "grok" ? source["conversations"]![0]! : source;

        var (exit, output, err) = cli.Run("import", file, "--json");

        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal(format, (string?)Assert.Single(summary["files"]!.AsArray())!["format"]);
        Assert.Equal((1, nodes), (summary["new_conversations"]!.GetValue<int>(), summary["new_nodes"]!.GetValue<int>()));
        var entry = JsonNode.Parse(Assert.Single(cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)))!;
        Assert.Equal(format, entry["format"]!.GetValue<string>());
        var raw = cli.Run("show", entry["id"]!.GetValue<string>(), "--raw");
        Assert.Equal(0, raw.Exit);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(raw.Out)));

        var again = JsonNode.Parse(cli.Run("import", file, "--json").Out)!;
        Assert.Equal((0, 0), (again["new_conversations"]!.GetValue<int>(), again["new_nodes"]!.GetValue<int>()));
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    [Theory]
    [InlineData("deepseek")]
    [InlineData("grok")]
    [InlineData("aistudio")]
    public void Import_FormatOption_AcceptsTheWebExportNames(string format)
    {
        using var cli = new CliRunner();
        var file = Sample("openwebui-chat-openwebui-importer/webui-json.json");

        var (exit, _, err) = cli.Run("import", file, "--format", format);

        // Accepted as a name (not a usage error), then refused naming the file and the shape the format expects.
        Assert.Equal(1, exit);
        Assert.DoesNotContain("Argument", err, StringComparison.Ordinal);
        Assert.Contains(file, err, StringComparison.Ordinal);
        Assert.Contains(format == "grok" ? "expected {\"conversations\"" : format == "deepseek" ? "expected {data: {biz_data" : "expected {runSettings", err, StringComparison.Ordinal);
    }
}
