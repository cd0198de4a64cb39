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
    public void Import_FormatOutsideTheRegistry_IsRefusedListingEveryName_AndANamedOneIsAccepted()
    {
        using var cli = new CliRunner();
        var (exit, _, err) = cli.Run("import", "--format", "nope", Corpus("chatgpt-export-chatgpt2graph/conversations.json"));
        Assert.NotEqual(0, exit);
        Assert.Contains("Argument 'nope' not recognized. Must be one of:", err, StringComparison.Ordinal);
        Assert.All(Amber.Import.Formats.FormatRegistry.Names.Prepend("auto"), n => Assert.Contains($"'{n}'", err, StringComparison.Ordinal));

        var (ok, _, okErr) = cli.Run("import", "--format", "chatgpt", Corpus("chatgpt-export-chatgpt2graph/conversations.json"));
        Assert.True(ok == 0, okErr);
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

    /// <summary>
    /// Issue 22: <c>amber import</c> writes its frames at the bulk-import level (3), not the archive's default (9), and
    /// leaves the size to <c>amber compact</c>. zstd records no level in a frame, so the level shows in the bytes: the
    /// CLI's segments match an in-process import of the same file at level 3, not one at level 9.
    /// </summary>
    [Fact]
    public void Import_WritesAtTheBulkImportLevel_NotTheArchiveDefault()
    {
        using var cli = new CliRunner();
        var file = Corpus("chatgpt-export-chatgpt2graph/conversations.json");
        var (exit, _, err) = cli.Run("import", file);
        Assert.True(exit == 0, err);
        var viaCli = SegmentBytes(cli.ArchiveDir);

        long InProcess(int level)
        {
            var dir = cli.Combine($"level-{level}");
            using (var archive = Amber.Storage.Archive.Init(new Amber.Storage.ArchiveOptions { Directory = dir, CompressionLevel = level }))
            {
                var summary = new Amber.Import.Importer(archive, Amber.Import.Formats.FormatRegistry.All, new Amber.Import.ImportOptions()).Run([file]);
                Assert.True(summary.Ok, string.Join("; ", summary.Errors));
            }

            return SegmentBytes(dir);
        }

        Assert.Equal(3, Amber.Import.ImportOptions.ArchiveCompressionLevel);
        var atImportLevel = InProcess(Amber.Import.ImportOptions.ArchiveCompressionLevel);
        var atDefault = InProcess(new Amber.Storage.ArchiveOptions { Directory = "unused" }.CompressionLevel);
        Assert.True(atImportLevel > atDefault, $"level 3 wrote {atImportLevel:N0} B, level 9 {atDefault:N0} B: the file no longer tells the levels apart");
        Assert.True(Math.Abs(viaCli - atImportLevel) < Math.Abs(viaCli - atDefault), $"amber import wrote {viaCli:N0} B of segments: level 3 writes {atImportLevel:N0} B, level 9 {atDefault:N0} B");
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    private static long SegmentBytes(string archive) => Directory.EnumerateFiles(Path.Combine(archive, "segments")).Sum(f => new FileInfo(f).Length);
}
