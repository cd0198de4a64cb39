using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ClaudeCode;

/// <summary>The real Claude Code sessions of shared/samples, asserted against figures taken from their own lines.</summary>
public sealed class ClaudeCodeSampleTests
{
    public static TheoryData<string> Files => ClaudeCodeSource.Files;

    private static Dictionary<string, ConversationView> Views(ImportFixture f)
        => f.Archive.ListConversations(1000).ToDictionary(s => s.SourceId, s => f.Archive.GetConversation(s.Id)!, StringComparer.Ordinal);

    private static string SourceId(List<JsonObject> lines, string key)
    {
        var session = lines.Where(l => (bool?)l["isSidechain"] != true).Select(l => ClaudeCodeSource.Str(l, "sessionId")).FirstOrDefault(s => s is not null && lines.Any(x => ClaudeCodeSource.Str(x, "uuid") is not null && (bool?)x["isSidechain"] != true))
            ?? lines.Select(l => ClaudeCodeSource.Str(l, "sessionId")).First(s => s is not null)!;
        return key.Length == 0 ? session : $"{session}/{key}";
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleFile_CountsMatchSource(string file)
    {
        var path = ClaudeCodeSource.Sample(file);
        var lines = ClaudeCodeSource.Lines(path);
        var (conversations, nodes, instances) = ClaudeCodeSource.Count(lines);
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("claude-code", Assert.Single(s.Files).Format); // detected, not named
        Assert.Equal(conversations, s.Conversations);
        Assert.Equal(nodes, s.Nodes);
        Assert.Equal(instances, s.Instances);
        Assert.Equal(conversations, s.NewConversations);
        Assert.Equal(nodes, f.Archive.GetStats().Nodes);
        var views = Views(f);
        foreach (var (key, records) in ClaudeCodeSource.Conversations(lines))
        {
            var view = views[SourceId(lines, key)];
            Assert.Equal("claude-code", view.Summary.Format);
            Assert.Equal(records.Count, view.Tree.Count);
            Assert.Equal(ClaudeCodeSource.Leaves(records), view.Tree.Leaves.Count);
            Assert.Equal(records.Select(r => ClaudeCodeSource.Str(r, "uuid")!).Order(StringComparer.Ordinal), view.Tree.Nodes.Values.Select(n => (string)n.Meta!["source_id"]!).Order(StringComparer.Ordinal));
        }

        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleFile_CreditsModelAndUsagePerTurn(string file)
    {
        var path = ClaudeCodeSource.Sample(file);
        var lines = ClaudeCodeSource.Lines(path);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var nodes = Views(f).Values.SelectMany(v => v.Tree.Nodes.Values.Select(n => (View: v, Node: n))).ToDictionary(x => (string)x.Node.Meta!["source_id"]!, StringComparer.Ordinal);
        var assistants = lines.Where(l => l["message"]?["model"] is not null).ToList();
        Assert.NotEmpty(assistants);
        foreach (var line in assistants)
        {
            var (view, node) = nodes[ClaudeCodeSource.Str(line, "uuid")!];
            var model = ClaudeCodeSource.Str(line["message"], "model")!;
            if (model == "<synthetic>")
            {
                Assert.Null(node.Generation);
                continue;
            }

            var generation = Assert.IsType<GenerationRecord>(node.Generation);
            Assert.Equal(model, view.Models[generation.Model].Requested);
            Assert.Equal("anthropic", view.Models[generation.Model].Provider);
            Assert.True(JsonNode.DeepEquals(line["message"]!["usage"], generation.Usage), $"usage of {ClaudeCodeSource.Str(line, "uuid")} differs");
            Assert.Equal(ClaudeCodeSource.Str(line["message"], "stop_reason"), generation.FinishReason);
        }

        // Nodes of other records carry no generation.
        Assert.Equal(assistants.Count(a => ClaudeCodeSource.Str(a["message"], "model") != "<synthetic>"), nodes.Values.Count(n => n.Node.Generation is not null));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleFile_MapsEveryContentBlock(string file)
    {
        var path = ClaudeCodeSource.Sample(file);
        var lines = ClaudeCodeSource.Lines(path);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var blocks = lines.Where(l => ClaudeCodeSource.Str(l, "uuid") is not null).Select(l => l["message"]?["content"]).OfType<JsonArray>().SelectMany(a => a).Select(b => b!.AsObject()).ToList();
        var strings = lines.Where(l => ClaudeCodeSource.Str(l, "uuid") is not null && l["message"]?["content"] is JsonValue).Count();
        var content = Views(f).Values.SelectMany(v => v.Tree.Nodes.Values).SelectMany(n => n.Content).ToList();
        int Source(string type) => blocks.Count(b => ClaudeCodeSource.Str(b, "type") == type);
        Assert.Equal(Source("text") + strings, content.OfType<TextBlock>().Count());
        Assert.Equal(Source("thinking"), content.OfType<ThinkingBlock>().Count());
        Assert.Equal(Source("tool_use"), content.OfType<ToolCallBlock>().Count());
        Assert.Equal(Source("tool_result"), content.OfType<ToolResultBlock>().Count());
        Assert.Equal(blocks.Count(b => (bool?)b["is_error"] == true), content.OfType<ToolResultBlock>().Count(r => r.IsError));
        Assert.Equal(
            blocks.Where(b => ClaudeCodeSource.Str(b, "type") == "tool_use").Select(b => ClaudeCodeSource.Str(b, "id")).Order(StringComparer.Ordinal),
            content.OfType<ToolCallBlock>().Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleFileTwice_SecondAddsNothing(string file)
    {
        var path = ClaudeCodeSource.Sample(file);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);
        var before = f.Archive.GetStats();

        var again = f.Import(path);

        Assert.Empty(again.Errors);
        Assert.Equal(0, again.NewNodes);
        Assert.Equal(0, again.NewConversations);
        var after = f.Archive.GetStats();
        Assert.Equal((before.Conversations, before.Nodes, before.Commits, before.Blobs, before.SegmentBytes), (after.Conversations, after.Nodes, after.Commits, after.Blobs, after.SegmentBytes));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Show_SampleConversation_RawIsTheWholeFile(string file)
    {
        var path = ClaudeCodeSource.Sample(file);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        foreach (var view in Views(f).Values)
        {
            Assert.Equal(File.ReadAllBytes(path), f.Archive.GetBlob(Assert.Single(view.Raw)));
        }
    }

    [Fact]
    public void Import_SampleFolder_FindsEverySessionFileInNestedFolders()
    {
        var folder = ClaudeCodeSource.Sample();
        var files = Directory.EnumerateFiles(folder, "*.jsonl", SearchOption.AllDirectories).ToList();
        var expected = files.Select(p => ClaudeCodeSource.Count(ClaudeCodeSource.Lines(p))).ToList();
        using var f = new ImportFixture();

        var s = f.Import(folder);

        Assert.Empty(s.Errors);
        Assert.Equal(files.Count, s.Files.Count);
        Assert.All(s.Files, r => Assert.Equal("claude-code", r.Format));
        Assert.Equal(expected.Sum(e => e.Conversations), s.Conversations);
        Assert.Equal(expected.Sum(e => e.Nodes), s.Nodes);
        Assert.Equal(expected.Sum(e => e.Instances), s.Instances);
    }

    [Fact]
    public void Import_SessionMeta_KeepsCwdBranchVersionSummariesAndUnmappedRecordCounts()
    {
        var path = ClaudeCodeSource.Sample("session-9eda1058.jsonl");
        var lines = ClaudeCodeSource.Lines(path);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var view = Assert.Single(Views(f).Values);
        var meta = view.Record.Meta!;
        var first = lines.First(l => ClaudeCodeSource.Str(l, "uuid") is not null);
        Assert.Equal(ClaudeCodeSource.Str(first, "cwd"), (string?)meta["cwd"]);
        Assert.Equal(ClaudeCodeSource.Str(first, "gitBranch"), (string?)meta["git_branch"]);
        Assert.Equal(ClaudeCodeSource.Str(first, "version"), (string?)meta["version"]);
        var summaries = lines.Where(l => ClaudeCodeSource.Str(l, "type") == "summary").ToList();
        Assert.Equal(16, summaries.Count);
        Assert.True(JsonNode.DeepEquals(new JsonArray(summaries.Select(x => (JsonNode)x.DeepClone()).ToArray()), meta["summaries"]));
        Assert.Equal(lines.Count(l => ClaudeCodeSource.Str(l, "type") == "file-history-snapshot"), (int)meta["not_mapped"]!["file-history-snapshot"]!);
        var systems = view.Tree.Nodes.Values.Where(n => n.Role == "system").ToList();
        Assert.Equal(lines.Count(l => ClaudeCodeSource.Str(l, "type") == "system"), systems.Count);
        Assert.All(systems, n => Assert.Contains(NodeFlags.System, n.Flags));
    }
}
