using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>`amber import` of a Codex rollout and a Gemini CLI session from ../shared/samples, and `show --raw` of them.</summary>
public sealed class CodingAgentImportCommandTests
{
    private static string Sample(string relative) => SharedData.RequireSample(relative);

    [Theory]
    [InlineData("codex-rollout-localpush/rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl", "codex")]
    [InlineData("gemini-cli-codemie/session-2026-01-16T11-01-file-ops-37b7abef.json", "gemini-cli")]
    public void Import_CodingAgentSession_DetectsFormatAndShowRawGivesTheFileBack(string relative, string format)
    {
        using var cli = new CliRunner();
        var file = Sample(relative);

        var (exit, output, err) = cli.Run("import", file, "--json");

        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal(format, (string?)Assert.Single(summary["files"]!.AsArray())!["format"]);
        Assert.Equal(1, summary["new_conversations"]!.GetValue<int>());
        var listed = JsonNode.Parse(cli.Run("ls", "--json").Out.Trim())!;
        Assert.Equal(format, listed["format"]!.GetValue<string>());
        var raw = cli.Run("show", listed["id"]!.GetValue<string>(), "--raw");
        Assert.Equal(0, raw.Exit);
        if (format == "codex")
        {
            Assert.Equal(File.ReadAllLines(file), raw.Out.TrimEnd('\n').Split('\n')); // the rollout's lines, as written
        }
        else
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllBytes(file)), JsonNode.Parse(raw.Out)));
        }

        var again = JsonNode.Parse(cli.Run("import", file, "--json").Out)!;
        Assert.Equal((0, 0), (again["new_conversations"]!.GetValue<int>(), again["new_nodes"]!.GetValue<int>()));
        Assert.Equal(0, cli.Run("verify").Exit);
    }
}
