using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.Oasst;
using Amber.Import.Tests.ShareGpt;

namespace Amber.Import.Tests.Oasst;

public sealed class OasstFormatTests
{
    private const string Oasst2 = "oasst2-trees-openpaws/oasst2_filtered.part.jsonl";
    private const string En100 = "oasst-en100-trees/en_100_tree.part.jsonl";

    // The Open Paws file lists 10 trees twice, with different added CRITERIA scores on some messages: the two
    // copies share the tree id, so they are one conversation, and every message of the second copy whose
    // fields differ (the root, at least) is a distinct node — the copies are two versions under one tree.
    // The samples part is another slice of the same files (every third line, shared/samples/PROVENANCE.md).
    [Theory]
    [InlineData("corpus/" + Oasst2, 368, 358, 1001, 645)]
    [InlineData("corpus/" + En100, 67, 67, 809, 441)]
    [InlineData("samples/" + Oasst2, 183, 180, 551, 348)]
    [InlineData("samples/" + En100, 33, 33, 358, 185)]
    public void Import_CorpusTrees_CountsMatchTheSource(string file, int records, int trees, int messages, int leaves)
    {
        var path = ImportFixture.Shared(file);
        var source = DatasetTestData.Records(path);
        var expected = source.Select(r => Walk((JsonObject)r.Record["prompt"]!)).ToList();
        var treeIds = source.Select(r => (string)r.Record["message_tree_id"]!).Distinct().Count();
        Assert.Equal((records, trees, messages, leaves), (source.Count, treeIds, expected.Sum(e => e.Nodes), expected.Sum(e => e.Leaves)));

        using var fixture = new ImportFixture();
        var summary = fixture.ImportAs(null, path);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(OasstFormat.FormatName, Assert.Single(summary.Files).Format);
        Assert.Equal((records, messages, leaves, trees), (summary.Conversations, summary.Nodes, summary.Instances, summary.NewConversations));
        var stats = fixture.Archive.GetStats();
        Assert.Equal((trees, messages, leaves), ((int)stats.Conversations, (int)stats.Nodes, (int)stats.Instances));
    }

    [Fact]
    public void Import_Oasst2Trees_BranchesRolesAndFlagsFollowTheSource()
    {
        var path = ImportFixture.Corpus(Oasst2);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.ImportAs(null, path), fixture.Archive);

        var all = new List<Node>();
        foreach (var copies in source.GroupBy(r => (string)r.Record["message_tree_id"]!))
        {
            var prompts = copies.Select(r => (JsonObject)r.Record["prompt"]!).ToList();
            var view = DatasetTestData.View(fixture.Archive, OasstFormat.FormatName, OasstFormat.SourceName, copies.Key);
            Assert.Equal(prompts.Sum(p => Walk(p).Nodes), view.Tree.Count);
            Assert.Equal(prompts.Sum(p => Walk(p).Leaves), view.Tree.Leaves.Count);
            Assert.Equal(view.Tree.Leaves.Count, view.Summary.Instances);
            Assert.Equal(prompts.Count, view.Tree.Roots.Count);
            Assert.Equal("T4", view.Summary.Tier);
            Assert.All(view.Tree.Roots, root => Assert.Equal(copies.Key, (string)view.Tree.Nodes[root].Meta!["source_id"]!));
            Assert.Equal(DateTimeOffset.Parse((string)prompts[0]["created_date"]!, CultureInfo.InvariantCulture), DateTimeOffset.Parse(view.Record.Created!, CultureInfo.InvariantCulture));
            all.AddRange(view.Tree.Nodes.Values);
        }

        var messages = source.SelectMany(r => Messages((JsonObject)r.Record["prompt"]!)).ToList();
        Assert.Equal(messages.Count, all.Count);
        Assert.Equal(messages.Count(m => (string)m["role"]! == "prompter"), all.Count(n => n.Role == "user"));
        Assert.Equal(messages.Count(m => (string)m["role"]! == "assistant"), all.Count(n => n.Role == "assistant"));
        Assert.Equal(messages.Count(m => (bool)m["deleted"]!), all.Count(n => n.Flags.Contains(NodeFlags.Hidden)));
        Assert.Equal(messages.Count(m => ((string)m["text"]!).Length > 0), DatasetTestData.BlockCounts(all)["text"]);
        Assert.Equal(messages.Select(m => (string)m["message_id"]!).Order(StringComparer.Ordinal), all.Select(n => (string)n.Meta!["source_id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(messages.Count(m => m["labels"] is JsonObject), all.Count(n => n.Meta!["labels"] is JsonObject));
        Assert.Equal(messages.Count(m => m["detoxify"] is JsonObject), all.Count(n => n.Meta!["detoxify"] is JsonObject));
        Assert.Equal(messages.Count(m => m["user_id"] is JsonValue), all.Count(n => n.Meta!["user_id"] is JsonValue));
        Assert.All(all, n => Assert.NotNull(n.Created));
        Assert.All(all, n => Assert.Null(n.Generation));
    }

    [Fact]
    public void Import_En100Trees_ModelNamesBecomeModelReferences()
    {
        var path = ImportFixture.Corpus(En100);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.ImportAs(null, path), fixture.Archive);

        var named = source.SelectMany(r => Messages((JsonObject)r.Record["prompt"]!)).Where(m => m["model_name"] is JsonValue).ToList();
        Assert.NotEmpty(named);
        var all = DatasetTestData.AllNodes(fixture.Archive);
        var generated = all.Where(n => n.Generation is not null).ToList();
        Assert.Equal(named.Count, generated.Count);
        var model = fixture.Archive.GetModel(generated[0].Generation!.Model)!;
        Assert.Equal((OasstFormat.SourceName, (string)named[0]["model_name"]!), (model.Provider, model.Requested));
        Assert.Equal(named.Select(m => (string)m["message_id"]!).Order(StringComparer.Ordinal), generated.Select(n => (string)n.Meta!["source_id"]!).Order(StringComparer.Ordinal));
        Assert.Contains(fixture.Archive.ListConversations(int.MaxValue), s => s.Models.Count > 0);
    }

    [Fact]
    public void Import_CorpusTrees_RawIsTheSourceTree()
    {
        var path = ImportFixture.Corpus(Oasst2);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.ImportAs(null, path), fixture.Archive);

        var once = source.GroupBy(r => (string)r.Record["message_tree_id"]!).Where(g => g.Count() == 1).Select(g => g.Single()).ToList();
        foreach (var i in new[] { 0, 1, once.Count / 2, once.Count - 1 })
        {
            var view = DatasetTestData.View(fixture.Archive, OasstFormat.FormatName, OasstFormat.SourceName, (string)once[i].Record["message_tree_id"]!);
            DatasetTestData.AssertRawEquals(fixture.Archive, view, once[i].Record);
        }
    }

    [Fact]
    public void Import_SameFileTwice_AddsNothing()
    {
        var path = ImportFixture.Corpus(En100);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);
        DatasetTestData.AssertReimportAddsNothing(fixture, path);
    }

    [Fact]
    public void Import_OlderExportThenFull_MergesNewBranchesIntoTheSameTrees()
    {
        var path = ImportFixture.Corpus(Oasst2);
        var source = DatasetTestData.Records(path);
        var full = source.Select(r => Walk((JsonObject)r.Record["prompt"]!)).ToList();
        using var fixture = new ImportFixture();

        // The older export lacks the last reply (a whole branch) of every tree's root that has one.
        var older = fixture.Temp("older.jsonl");
        var trimmed = 0;
        File.WriteAllLines(older, source.Select(r =>
        {
            var copy = (JsonObject)r.Record.DeepClone();
            if (copy["prompt"]!["replies"] is JsonArray { Count: > 0 } replies)
            {
                replies.RemoveAt(replies.Count - 1);
                trimmed++;
            }

            return copy.ToJsonString();
        }));
        var first = fixture.ImportAs(null, older);
        DatasetTestData.AssertOk(first, fixture.Archive);
        Assert.True(first.Nodes < full.Sum(f => f.Nodes));

        var second = fixture.ImportAs(null, path);

        DatasetTestData.AssertOk(second, fixture.Archive);
        Assert.True(trimmed > 50);
        Assert.Equal(0, second.NewConversations);
        Assert.Equal(full.Sum(f => f.Nodes) - first.Nodes, second.NewNodes);
        var stats = fixture.Archive.GetStats();
        Assert.Equal((source.Select(r => (string)r.Record["message_tree_id"]!).Distinct().Count(), full.Sum(f => f.Nodes), full.Sum(f => f.Leaves)), ((int)stats.Conversations, (int)stats.Nodes, (int)stats.Instances));
        var view = DatasetTestData.View(fixture.Archive, OasstFormat.FormatName, OasstFormat.SourceName, (string)source[0].Record["message_tree_id"]!);
        Assert.Equal(2, view.Raw.Count);
    }

    [Fact]
    public void Import_FlatMessagesOfTheSameTrees_YieldTheSameNodes()
    {
        var path = ImportFixture.Corpus(Oasst2);
        var source = DatasetTestData.Records(path).Take(30).ToList();
        using var fixture = new ImportFixture();
        var nested = fixture.Temp("trees.jsonl");
        File.WriteAllLines(nested, source.Select(r => r.Text));
        DatasetTestData.AssertOk(fixture.ImportAs(null, nested), fixture.Archive);
        var before = fixture.Archive.GetStats();

        // The flat export: one message per line, trees interleaved (round robin), replies removed.
        var perTree = source.Select(r => Messages((JsonObject)r.Record["prompt"]!).Select(m =>
        {
            var flat = (JsonObject)m.DeepClone();
            flat.Remove("replies");
            flat["message_tree_id"] = r.Record["message_tree_id"]!.DeepClone();
            return flat.ToJsonString();
        }).ToList()).ToList();
        var lines = Enumerable.Range(0, perTree.Max(t => t.Count)).SelectMany(i => perTree.Where(t => i < t.Count).Select(t => t[i])).ToList();
        var flatPath = fixture.Temp("messages.jsonl");
        File.WriteAllLines(flatPath, lines);
        Assert.Equal(OasstFormat.FormatName, DatasetTestData.Detected(flatPath));

        var summary = fixture.ImportAs(null, flatPath);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal((source.Count, 0, 0), (summary.Conversations, summary.NewConversations, summary.NewNodes));
        Assert.Equal(before.Nodes, fixture.Archive.GetStats().Nodes);
        var view = DatasetTestData.View(fixture.Archive, OasstFormat.FormatName, OasstFormat.SourceName, (string)source[3].Record["message_tree_id"]!);
        var raw = JsonNode.Parse(fixture.Archive.GetBlob(view.Raw[^1])!)!.AsArray();
        Assert.Equal(perTree[3].Count, raw.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(perTree[3][0]), raw[0]));
    }

    [Fact]
    public void Import_RecordOfUnknownShape_NamesItAndCommitsNothing()
    {
        var path = ImportFixture.Corpus(En100);
        using var fixture = new ImportFixture();
        var bad = fixture.Temp("bad.jsonl");
        var lines = File.ReadLines(path).Take(3).ToList();
        lines.Add("{\"message_tree_id\": \"x\", \"tree_state\": \"ready\", \"root\": {}}");
        File.WriteAllLines(bad, lines);

        var summary = fixture.ImportAs(null, bad);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("bad.jsonl", error, StringComparison.Ordinal);
        Assert.Contains("line 4", error, StringComparison.Ordinal);
        Assert.Contains("Nothing from this file was committed", error, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_DeletedAndEmptyMessages_AreKeptAndFlagged()
    {
        using var fixture = new ImportFixture();
        var path = fixture.Temp("small.jsonl");
        File.WriteAllText(path, """
            {"message_tree_id":"t1","tree_state":"ready_for_export","prompt":{"message_id":"t1","parent_id":null,"created_date":"2023-02-05T10:00:00.5+01:00","text":"Hello","role":"prompter","lang":"en","deleted":false,"replies":[{"message_id":"a1","parent_id":"t1","text":"","role":"assistant","deleted":true,"rank":0,"replies":[]},{"message_id":"a2","parent_id":"t1","text":"Hi","role":"assistant","deleted":false,"model_name":"oa-sft-1","replies":[]}]}}
            """);

        DatasetTestData.AssertOk(fixture.ImportAs(null, path), fixture.Archive);

        var view = DatasetTestData.View(fixture.Archive, OasstFormat.FormatName, OasstFormat.SourceName, "t1");
        var byId = view.Tree.Nodes.Values.ToDictionary(n => (string)n.Meta!["source_id"]!);
        Assert.Equal("2023-02-05T09:00:00.5Z", byId["t1"].Created);
        Assert.Equal(["empty", "hidden"], byId["a1"].Flags.Order(StringComparer.Ordinal));
        Assert.Empty(byId["a1"].Content);
        Assert.Equal(0, (int)byId["a1"].Meta!["rank"]!);
        Assert.Equal("oa-sft-1", view.Models[byId["a2"].Generation!.Model].Requested);
        Assert.Equal(2, view.Summary.Instances);
        Assert.Equal("ready_for_export", (string)view.Record.Meta!["tree_state"]!);
    }

    private static (int Nodes, int Leaves) Walk(JsonObject message)
    {
        var list = Messages(message).ToList();
        return (list.Count, list.Count(m => m["replies"] is not JsonArray { Count: > 0 }));
    }

    private static IEnumerable<JsonObject> Messages(JsonObject message)
    {
        yield return message;
        if (message["replies"] is JsonArray replies)
        {
            foreach (var reply in replies)
            {
                foreach (var m in Messages((JsonObject)reply!))
                {
                    yield return m;
                }
            }
        }
    }
}
