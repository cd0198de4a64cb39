using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

public sealed class ImportCommandTests
{
    private static string Corpus(string relative)
    {
        var path = SharedData.PathTo(Path.Combine("corpus", relative));
        if (path is null)
        {
            Assert.Skip(SharedData.MissingMessage);
        }

        return path!;
    }

    [Fact]
    public void Import_Json_ReportsTheContractFieldsAndShowRawGivesTheSourceBack()
    {
        using var cli = new CliRunner();
        var file = Corpus("chatgpt-export-chatgpt2graph/conversations.json");
        var (exit, output, err) = cli.Run("import", file, "--json");
        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        foreach (var field in new[] { "conversations", "nodes", "instances", "new_conversations", "errors" })
        {
            Assert.NotNull(summary[field]);
        }

        Assert.Equal(1, summary["conversations"]!.GetValue<int>());
        Assert.Equal(1, summary["new_conversations"]!.GetValue<int>());
        Assert.Empty(summary["errors"]!.AsArray());

        var listed = JsonNode.Parse(cli.Run("ls", "--json").Out.Trim())!;
        Assert.Equal("chatgpt", listed["format"]!.GetValue<string>());
        var raw = cli.Run("show", listed["id"]!.GetValue<string>(), "--raw");
        var source = JsonNode.Parse(File.ReadAllBytes(file))!.AsArray()[0];
        Assert.True(JsonNode.DeepEquals(source, JsonNode.Parse(raw.Out)));

        var again = JsonNode.Parse(cli.Run("import", file, "--json").Out)!;
        Assert.Equal(0, again["new_conversations"]!.GetValue<int>());
        Assert.Equal(0, again["new_nodes"]!.GetValue<int>());
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    /// <summary>
    /// Issue 16: `import` and `stats` agree on counts, or `import` says why they differ. A source holding the same
    /// conversation twice (here the export and a copy of it, read in one run) counts what it read; `stats` counts what is
    /// stored, which is what import reports as new, and the human summary says so.
    /// </summary>
    [Fact]
    public void Import_SourceHoldingAConversationTwice_NewCountsEqualStats_AndTheSummarySaysWhyTheReadCountsDiffer()
    {
        using var cli = new CliRunner();
        var file = Corpus("chatgpt-export-chatgpt2graph/conversations.json");
        var export = cli.Combine("export");
        Directory.CreateDirectory(Path.Combine(export, "copy"));
        File.Copy(file, Path.Combine(export, "conversations.json"));
        File.Copy(file, Path.Combine(export, "copy", "conversations.json"));

        var (exit, output, err) = cli.Run("import", export, "--json");
        Assert.True(exit == 0, err);
        var imported = JsonNode.Parse(output)!;
        var stats = JsonNode.Parse(cli.Run("stats", "--json").Out)!;
        var read = imported["nodes"]!.GetValue<long>();
        var stored = imported["new_nodes"]!.GetValue<long>();
        Assert.Equal(2, imported["conversations"]!.GetValue<long>());
        Assert.Equal(imported["new_conversations"]!.GetValue<long>(), stats["conversations"]!.GetValue<long>());
        Assert.Equal(1, stats["conversations"]!.GetValue<long>());
        Assert.Equal(stored, stats["nodes"]!.GetValue<long>());
        Assert.Equal(2 * stored, read);

        using var again = new CliRunner();
        var human = again.Run("import", export);
        Assert.Equal(0, human.Exit);
        Assert.Contains($"{stored:N0} nodes were new: the other {read - stored:N0}", human.Out, StringComparison.Ordinal);
        Assert.Contains("`amber stats` counts stored nodes", human.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_BadFileBesideAGoodOne_FailsNamingItAndImportsTheOther()
    {
        using var cli = new CliRunner();
        var good = Corpus("chatgpt-export-chatgpt2graph/conversations.json");
        var bad = cli.Combine("broken.json");
        File.WriteAllText(bad, "[{\"id\":\"x\",\"mapping\":{\"a\":");
        var (exit, output, _) = cli.Run("import", bad, good, "--json");
        Assert.Equal(1, exit);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal(1, summary["new_conversations"]!.GetValue<int>());
        var error = Assert.Single(summary["errors"]!.AsArray())!.GetValue<string>();
        Assert.Contains("broken.json", error, StringComparison.Ordinal);
        Assert.Contains("Nothing from this file was committed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_UnknownFormatFile_FailsWithAClearMessage()
    {
        using var cli = new CliRunner();
        var odd = cli.Combine("odd.json");
        File.WriteAllText(odd, "{\"hello\": \"world\"}");
        var (exit, _, err) = cli.Run("import", odd);
        Assert.Equal(1, exit);
        Assert.Contains("cannot tell which export format", err, StringComparison.Ordinal);
    }
}
