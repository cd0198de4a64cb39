using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>ChatGPT imports into a real archive: incremental merges and rejected files.</summary>
public sealed class ChatGptImportTests
{
    [Fact]
    public void Import_NewerExportAfterOlder_MergesNewMessagesIntoTheSameConversations()
    {
        using var fixture = new ImportFixture();
        var all = ChatGptSource.Load(ImportFixture.Corpus(ChatGptCorpusFixture.Archive)).Select(c => c!.AsObject()).ToList();

        // A slice of the real export (branched conversations first), and an "older export" of it with the last leaves trimmed.
        var full = all.Where(c => ChatGptSource.BranchPoints(c) > 0).Take(12).Concat(all.Where(c => ChatGptSource.BranchPoints(c) == 0).Take(3)).ToList();
        var older = full.Select(c => c.DeepClone().AsObject()).ToList();
        var trimmed = older.Take(10).Sum(c => ChatGptSource.TrimLeaves(c, 3));
        var olderPath = ChatGptSamples.Write(fixture.Temp("older/conversations.json"), [.. older]);
        var fullPath = ChatGptSamples.Write(fixture.Temp("newer/conversations.json"), [.. full]);

        var first = fixture.ImportAs(null, olderPath);
        Assert.Empty(first.Errors);
        Assert.Equal(full.Count, first.NewConversations);
        Assert.Equal(older.Sum(ChatGptSource.Nodes), first.Nodes);
        Assert.Equal(full.Sum(ChatGptSource.Nodes) - trimmed, fixture.Archive.GetStats().Nodes);

        var second = fixture.ImportAs(null, fullPath);
        Assert.Empty(second.Errors);
        Assert.Equal(0, second.NewConversations);
        Assert.Equal(trimmed, second.NewNodes);
        var stats = fixture.Archive.GetStats();
        Assert.Equal(full.Count, stats.Conversations);
        Assert.Equal(full.Sum(ChatGptSource.Nodes), stats.Nodes);
        Assert.Equal(full.Sum(ChatGptSource.Instances), stats.Instances);
        foreach (var conversation in full)
        {
            var view = fixture.Archive.GetConversation(Id(ChatGptSource.Id(conversation)))!;
            Assert.Equal(ChatGptSource.Nodes(conversation), view.Tree.Count);
            Assert.Equal(ChatGptSource.Instances(conversation), view.Tree.Leaves.Count);
        }

        Assert.True(ArchiveVerifier.Verify(fixture.Archive).Ok);
    }

    [Fact]
    public void Import_NewBranchInNewerExport_AttachesUnderTheExistingNode()
    {
        using var fixture = new ImportFixture();
        var older = ChatGptSamples.Branched("c1");
        var newer = ChatGptSamples.Branched("c1");
        var mapping = newer["mapping"]!.AsObject();
        mapping["a3"] = new JsonObject
        {
            ["id"] = "a3",
            ["message"] = ChatGptSamples.Message("a3", "assistant", ChatGptSamples.Text("Answer three")),
            ["parent"] = "u1-c1",
            ["children"] = new JsonArray(),
        };
        mapping["u1-c1"]!["children"]!.AsArray().Add("a3");
        newer["current_node"] = "a3";

        fixture.ImportAs(null, ChatGptSamples.Write(fixture.Temp("v1/conversations.json"), older));
        var merged = fixture.ImportAs(null, ChatGptSamples.Write(fixture.Temp("v2/conversations.json"), newer));

        Assert.Equal((0, 1), (merged.NewConversations, merged.NewNodes));
        var view = fixture.Archive.GetConversation(Id("c1"))!;
        Assert.Equal(5, view.Tree.Count);
        Assert.Equal(3, view.Tree.Leaves.Count);
        var question = view.Tree.Nodes.Single(n => (string?)n.Value.Meta!["source_id"] == "u1-c1").Key;
        Assert.Equal(3, view.Tree.ChildrenOf(question).Count);
        Assert.Equal("a3", (string?)view.Record.Meta!["current_node"]);
    }

    [Fact]
    public void Import_FileWithAnUnknownShapeRecord_FailsNamingItAndCommitsNothing()
    {
        using var fixture = new ImportFixture();
        var path = fixture.Temp("bad/conversations.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bad = new JsonObject { ["id"] = "broken-1", ["title"] = "t", ["mapping"] = new JsonObject { ["m"] = new JsonObject { ["message"] = new JsonObject { ["id"] = "m", ["content"] = ChatGptSamples.Text("x") } } } };
        File.WriteAllText(path, new JsonArray(ChatGptSamples.Branched("c1"), ChatGptSamples.Branched("c2"), bad).ToJsonString());

        var summary = fixture.ImportAs(null, path);

        var error = Assert.Single(summary.Errors);
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Contains("conversation broken-1 (record 2", error, StringComparison.Ordinal);
        Assert.Contains("author.role", error, StringComparison.Ordinal);
        Assert.Contains("Nothing from this file was committed", error, StringComparison.Ordinal);
        Assert.Equal(0, summary.Conversations);
        var stats = fixture.Archive.GetStats();
        Assert.Equal((0L, 0L, 0L), (stats.Conversations, stats.Nodes, stats.Instances));
        Assert.True(ArchiveVerifier.Verify(fixture.Archive).Ok);
    }

    [Fact]
    public void Import_ExplicitFormatOnSingleConversationObject_Imports()
    {
        using var fixture = new ImportFixture();
        var path = fixture.Temp("single/one.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ChatGptSamples.Branched("solo").ToJsonString());

        var summary = fixture.ImportAs("chatgpt", path);

        Assert.Empty(summary.Errors);
        Assert.Equal((1, 4, 2), (summary.Conversations, summary.Nodes, summary.Instances));
        var view = fixture.Archive.GetConversation(Id("solo"))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(fixture.Archive.GetBlob(view.Raw[^1])!), ChatGptSamples.Branched("solo")));
    }

    internal static string Id(string sourceId) => new ConversationRecord { Format = "chatgpt", Source = "chatgpt.com", SourceId = sourceId }.Id;
}
