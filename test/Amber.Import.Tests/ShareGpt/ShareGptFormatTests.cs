using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Tests.ShareGpt;

public sealed class ShareGptFormatTests
{
    private const string Glaive = "llamafactory-demo-data/glaive_toolcall_en_demo.part.json";
    private const string Dpo = "llamafactory-demo-data/dpo_en_demo.part.json";

    // The samples part is another slice of the same files (shared/samples/PROVENANCE.md).
    [Theory]
    [InlineData("corpus/" + Glaive, 200, 1296, 200)]
    [InlineData("corpus/" + Dpo, 200, 966, 400)]
    [InlineData("samples/" + Glaive, 100, 618, 100)]
    [InlineData("samples/" + Dpo, 100, 540, 200)]
    public void Import_CorpusFile_CountsMatchTheSource(string file, int records, int nodes, int instances)
    {
        var path = ImportFixture.Shared(file);
        var source = DatasetTestData.Records(path);

        // Counting rule: one node per turn (plus the "system" field), one instance per answer.
        var expectedNodes = source.Sum(r => Turns(r.Record).Count + (r.Record["system"] is null ? 0 : 1));
        var expectedInstances = source.Sum(r => r.Record["chosen"] is null ? 1 : 2);
        Assert.Equal((records, nodes, instances), (source.Count, expectedNodes, expectedInstances));

        using var fixture = new ImportFixture();
        var summary = fixture.Import(path);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(ShareGptFormat.FormatName, Assert.Single(summary.Files).Format);
        Assert.Equal((records, nodes, instances, records), (summary.Conversations, summary.Nodes, summary.Instances, summary.NewConversations));
        var stats = fixture.Archive.GetStats();
        Assert.Equal((records, nodes, instances), ((int)stats.Conversations, (int)stats.Nodes, (int)stats.Instances));
    }

    [Fact]
    public void Import_ToolCallFile_MapsFunctionCallsObservationsAndTools()
    {
        var path = ImportFixture.Corpus(Glaive);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);

        var turns = source.SelectMany(r => Turns(r.Record)).ToList();
        var nodes = DatasetTestData.AllNodes(fixture.Archive);
        var blocks = DatasetTestData.BlockCounts(nodes);
        var calls = turns.Count(t => (string)t["from"]! == "function_call");
        var observations = turns.Count(t => (string)t["from"]! == "observation");
        Assert.Equal(calls, blocks["tool_call"]);
        Assert.Equal(observations, blocks["tool_result"]);
        Assert.Equal(observations, blocks["tool_result/text"]);
        Assert.Equal(turns.Count(t => (string)t["from"]! is "human" or "gpt"), blocks["text"]);
        Assert.Equal(turns.Count(t => (string)t["from"]! is "gpt" or "function_call"), nodes.Count(n => n.Role == "assistant"));
        Assert.Equal(turns.Count(t => (string)t["from"]! == "human"), nodes.Count(n => n.Role == "user"));
        Assert.Equal(observations, nodes.Count(n => n.Role == "tool"));
        Assert.False(blocks.ContainsKey("opaque"));

        // The first call's arguments are the parsed JSON object; the record's tools string is kept in its meta.
        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        var index = source.FindIndex(r => Turns(r.Record).Any(t => (string)t["from"]! == "function_call"));
        var view = DatasetTestData.View(fixture.Archive, ShareGptFormat.FormatName, "sharegpt:" + Path.GetFileName(path), ids[index]);
        var call = view.Tree.Nodes.Values.SelectMany(n => n.Content).OfType<ToolCallBlock>().First();
        var expected = JsonNode.Parse((string)Turns(source[index].Record).First(t => (string)t["from"]! == "function_call")["value"]!)!;
        Assert.Equal((string)expected["name"]!, call.Name);
        Assert.True(JsonNode.DeepEquals(expected["arguments"], call.Arguments));
        Assert.Equal((string)source[index].Record["tools"]!, (string)view.Record.Meta!["tools"]!);
        DatasetTestData.AssertRawEquals(fixture.Archive, view, source[index].Record);
    }

    [Fact]
    public void Import_PreferenceFile_ChosenAndRejectedForkAfterTheSharedTurns()
    {
        var path = ImportFixture.Corpus(Dpo);
        var source = DatasetTestData.Records(path);
        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);

        for (var i = 0; i < source.Count; i += 7)
        {
            var view = DatasetTestData.View(fixture.Archive, ShareGptFormat.FormatName, "sharegpt:" + Path.GetFileName(path), ids[i]);
            var shared = ((JsonArray)source[i].Record["conversations"]!).Count;
            Assert.Equal(2, view.Tree.Leaves.Count);
            foreach (var leaf in view.Tree.Leaves)
            {
                var pathToLeaf = view.Tree.PathTo(leaf);
                Assert.Equal(shared + 1, pathToLeaf.Count);
                var side = (string)pathToLeaf[^1].Node.Meta!["preference"]!;
                Assert.Equal((string)source[i].Record[side]!["value"]!, ((TextBlock)pathToLeaf[^1].Node.Content[0]).Text);
                Assert.Equal("assistant", pathToLeaf[^1].Node.Role);
            }

            Assert.Equal(pathToLeafParent(view, 0), pathToLeafParent(view, 1));
            DatasetTestData.AssertRawEquals(fixture.Archive, view, source[i].Record);
        }

        var nodes = DatasetTestData.AllNodes(fixture.Archive);
        Assert.Equal(source.Sum(r => Turns(r.Record).Count(t => (string)t["from"]! == "system")), nodes.Count(n => n.Role == "system" && n.Flags.Contains(NodeFlags.System)));
        Assert.Equal(source.Count, nodes.Count(n => (string?)n.Meta!["preference"] == "chosen"));
        Assert.Equal(source.Count, nodes.Count(n => (string?)n.Meta!["preference"] == "rejected"));

        static string? pathToLeafParent(Amber.Storage.Reading.ConversationView view, int leaf) => view.Tree.Nodes[view.Tree.Leaves[leaf]].Parent;
    }

    [Fact]
    public void Import_RepeatedRecords_EachIsItsOwnConversation()
    {
        var path = ImportFixture.Corpus(Glaive);
        var source = DatasetTestData.Records(path);
        var distinct = source.Select(r => DatasetTestData.CanonicalId(r.Text)).Distinct().Count();
        Assert.True(distinct < source.Count, "the glaive slice repeats some records verbatim");
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);

        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        var repeated = ids.First(id => id.EndsWith("/2", StringComparison.Ordinal));
        var first = DatasetTestData.View(fixture.Archive, ShareGptFormat.FormatName, "sharegpt:" + Path.GetFileName(path), repeated[..^2]);
        var second = DatasetTestData.View(fixture.Archive, ShareGptFormat.FormatName, "sharegpt:" + Path.GetFileName(path), repeated);
        Assert.Equal(first.Tree.Count, second.Tree.Count);
        Assert.Empty(first.Tree.Nodes.Keys.Intersect(second.Tree.Nodes.Keys));
        Assert.Equal(first.Raw[^1], second.Raw[^1]);
    }

    [Fact]
    public void Import_SameFileTwice_AddsNothing()
    {
        var path = ImportFixture.Corpus(Dpo);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);
        DatasetTestData.AssertReimportAddsNothing(fixture, path);
    }

    [Fact]
    public void Import_OlderSliceThenFull_AddsOnlyTheNewRecords()
    {
        // Records without ids are named by their content, so a newer release of the dataset (same file name,
        // the source) adds its new records beside the old ones.
        var path = ImportFixture.Corpus(Glaive);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        Directory.CreateDirectory(fixture.Temp("v1"));
        var older = fixture.Temp("v1/" + Path.GetFileName(path));
        File.WriteAllText(older, "[" + string.Join(",\n", source.Take(120).Select(r => r.Text)) + "]");
        DatasetTestData.AssertOk(fixture.Import(older), fixture.Archive);
        var oldIds = DatasetTestData.SourceIds(source.Take(120).Select(r => r.Text)).ToHashSet();

        var full = fixture.Import(path);

        DatasetTestData.AssertOk(full, fixture.Archive);
        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        Assert.Equal(ids.Count(id => !oldIds.Contains(id)), full.NewConversations);
        Assert.Equal(source.Count, (int)fixture.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_RecordsWithIdsGainingTurns_MergeIntoTheSameConversations()
    {
        using var fixture = new ImportFixture();
        Directory.CreateDirectory(fixture.Temp("v1"));
        Directory.CreateDirectory(fixture.Temp("v2"));
        var older = fixture.Temp("v1/chats.jsonl");
        var newer = fixture.Temp("v2/chats.jsonl");
        File.WriteAllLines(older,
        [
            """{"id": "c1", "system": "Be brief.", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]}""",
            """{"id": 7, "conversations": [{"from": "human", "value": "2+2?"}]}""",
        ]);
        File.WriteAllLines(newer,
        [
            """{"id": "c1", "system": "Be brief.", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}, {"from": "human", "value": "Bye"}, {"from": "gpt", "value": "Bye"}]}""",
            """{"id": 7, "conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4", "weight": 1}]}""",
        ]);
        DatasetTestData.AssertOk(fixture.Import(older), fixture.Archive);
        Assert.Equal(4, (int)fixture.Archive.GetStats().Nodes);

        var second = fixture.Import(newer);

        DatasetTestData.AssertOk(second, fixture.Archive);
        Assert.Equal((0, 3), (second.NewConversations, second.NewNodes));
        var c1 = DatasetTestData.View(fixture.Archive, ShareGptFormat.FormatName, "sharegpt:chats.jsonl", "c1");
        Assert.Equal((5, 1, 2), (c1.Tree.Count, c1.Tree.Leaves.Count, c1.Raw.Count));
        Assert.Equal(["system", "user", "assistant", "user", "assistant"], c1.Tree.PathTo(c1.Tree.Leaves[0]).Select(p => p.Node.Role));
        var seven = DatasetTestData.View(fixture.Archive, ShareGptFormat.FormatName, "sharegpt:chats.jsonl", "7");
        var answer = seven.Tree.Nodes[seven.Tree.Leaves.Single()];
        Assert.Equal(1, (int)answer.Meta!["weight"]!);
        Assert.Equal("gpt", (string)answer.Meta!["from"]!);
    }

    [Fact]
    public void Import_RecordOfUnknownShape_NamesItAndCommitsNothing()
    {
        using var fixture = new ImportFixture();
        var bad = fixture.Temp("bad.json");
        File.WriteAllText(bad, """
            [
              {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]},
              {"conversations": [{"from": "human", "value": "c"}], "chosen": 3, "rejected": {"from": "gpt", "value": "d"}}
            ]
            """);

        var summary = fixture.Import(bad);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("bad.json", error, StringComparison.Ordinal);
        Assert.Contains("record 1", error, StringComparison.Ordinal);
        Assert.Contains("\"chosen\"", error, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_UnparsableFunctionCallAndOddTurns_KeptVerbatim()
    {
        using var fixture = new ImportFixture();
        var path = fixture.Temp("odd.jsonl");
        File.WriteAllLines(path,
        [
            """{"conversations": [{"from": "human", "value": ""}, {"from": "function_call", "value": "get_weather(city=Paris)"}, {"from": "observation", "value": "sunny"}, {"from": "narrator", "value": {"mood": "calm"}}], "tools": [{"name": "get_weather"}], "source": "x"}""",
        ]);

        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);

        var conversation = fixture.Archive.ListConversations(1).Single();
        var view = fixture.Archive.GetConversation(conversation.Id)!;
        var nodes = view.Tree.PathTo(view.Tree.Leaves.Single()).Select(p => p.Node).ToList();
        Assert.Equal(["user", "assistant", "tool", "narrator"], nodes.Select(n => n.Role));
        Assert.Contains(NodeFlags.Empty, nodes[0].Flags);
        Assert.Equal(new OpaqueBlock("sharegpt", "function_call", JsonValue.Create("get_weather(city=Paris)")), Assert.Single(nodes[1].Content));
        Assert.Equal("sunny", ((TextBlock)((ToolResultBlock)nodes[2].Content[0]).Content[0]).Text);
        Assert.Equal("calm", (string)((OpaqueBlock)nodes[3].Content[0]).Value!["mood"]!);
        Assert.Equal(JsonValueKind.Array, view.Record.Meta!["tools"]!.GetValueKind());
        Assert.Equal("x", (string)view.Record.Meta!["source"]!);
    }

    private static List<JsonObject> Turns(JsonObject record)
    {
        var turns = ((JsonArray)record["conversations"]!).Select(t => (JsonObject)t!).ToList();
        foreach (var side in new[] { "chosen", "rejected" })
        {
            switch (record[side])
            {
                case JsonObject o:
                    turns.Add(o);
                    break;
                case JsonArray a:
                    turns.AddRange(a.Select(t => (JsonObject)t!));
                    break;
            }
        }

        return turns;
    }
}
