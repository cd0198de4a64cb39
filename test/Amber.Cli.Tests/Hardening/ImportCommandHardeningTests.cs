using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests.Hardening;

/// <summary>Issue 20, items 2, 12 and 15, through the CLI.</summary>
public sealed class ImportCommandHardeningTests
{
    private const string Record = "{\"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}]}\n";

    [Fact]
    public void Item02_Import_LinkLeadingOutOfTheFolder_IsListedAsSkippedInJsonAndOnStderr()
    {
        using var cli = new CliRunner();
        using var outside = new TempDirectory();
        var export = cli.Combine("export");
        Directory.CreateDirectory(export);
        File.WriteAllText(Path.Combine(export, "data.jsonl"), Record);
        File.WriteAllText(outside.Combine("secret.jsonl"), "{\"conversations\": [{\"from\": \"human\", \"value\": \"secret\"}]}\n");
        File.CreateSymbolicLink(Path.Combine(export, "linked.jsonl"), outside.Combine("secret.jsonl"));

        var (exit, output, err) = cli.Run("import", export, "--json");

        Assert.True(exit == 0, err);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal(1, summary["conversations"]!.GetValue<int>());
        var skipped = Assert.Single(summary["skipped"]!.AsArray())!;
        Assert.Equal(Path.Combine(export, "linked.jsonl"), skipped["path"]!.GetValue<string>());
        Assert.Contains("outside the export folder", skipped["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        var (_, _, text) = cli.Run("import", export);
        Assert.Contains($"amber: skipped {Path.Combine(export, "linked.jsonl")}: leads outside the export folder", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Item15_Show_Json_MetadataNestedNearTheImportLimit_IsWrittenOut()
    {
        using var cli = new CliRunner();
        var file = cli.Combine("deep.jsonl");
        const int depth = 990;
        File.WriteAllText(file, "{\"conversations\": [{\"from\": \"human\", \"value\": \"hi\", \"extra\": " + new string('[', depth) + new string(']', depth) + "}]}\n");
        var (exit, _, err) = cli.Run("import", file, "--format", "sharegpt");
        Assert.True(exit == 0, err);
        var id = JsonNode.Parse(cli.Run("ls", "--json").Out.Trim())!["id"]!.GetValue<string>();

        var (showExit, output, showErr) = cli.Run("show", id, "--json");

        Assert.True(showExit == 0, showErr);
        using var shown = JsonDocument.Parse(output, new JsonDocumentOptions { MaxDepth = 4096 });
        var extra = shown.RootElement.GetProperty("node_list")[0].GetProperty("meta").GetProperty("extra");
        var levels = 0;
        for (var e = extra; e.ValueKind == JsonValueKind.Array; e = e.GetArrayLength() > 0 ? e[0] : default)
        {
            levels++;
        }

        Assert.Equal(depth, levels);
    }
}
