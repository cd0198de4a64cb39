using System.Text;
using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>`amber import` of a Claude Code session file that grows between two runs, and `show --raw` of it.</summary>
public sealed class ClaudeCodeImportCommandTests
{
    [Fact]
    public void Import_GrowingSessionFile_OneConversationAndShowRawGivesTheWholeFile()
    {
        var sample = SharedData.RequireSample(Path.Combine("claude-code-codemie", "session-9eda1058.jsonl"));
        var text = File.ReadAllText(sample, Encoding.UTF8);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var records = lines.Select(l => JsonNode.Parse(l)!).ToList();
        using var cli = new CliRunner();
        var file = cli.Combine("projects/-home-user-repo/session.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var half = lines.Length / 2;
        File.WriteAllText(file, string.Concat(lines.Take(half).Select(l => l + "\n")));
        var first = JsonNode.Parse(cli.Run("import", cli.Combine("projects"), "--json").Out)!;
        File.AppendAllText(file, string.Concat(lines.Skip(half).Select(l => l + "\n")));

        var (exit, output, err) = cli.Run("import", cli.Combine("projects"), "--json");

        Assert.True(exit == 0, err);
        var second = JsonNode.Parse(output)!;
        var nodes = records.Count(r => r["uuid"] is not null);
        var firstNodes = records.Take(half).Count(r => r["uuid"] is not null);
        Assert.Equal("claude-code", first["files"]![0]!["format"]!.GetValue<string>());
        Assert.Equal((1, firstNodes), (first["new_conversations"]!.GetValue<int>(), first["new_nodes"]!.GetValue<int>()));
        Assert.Equal((0, nodes - firstNodes), (second["new_conversations"]!.GetValue<int>(), second["new_nodes"]!.GetValue<int>()));
        var listed = cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var conversation = JsonNode.Parse(Assert.Single(listed))!;
        Assert.Equal(nodes, conversation["nodes"]!.GetValue<int>());
        var raw = cli.Run("show", conversation["id"]!.GetValue<string>(), "--raw");
        Assert.Equal(0, raw.Exit);
        Assert.Equal(lines, raw.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, cli.Run("verify").Exit);
    }
}
