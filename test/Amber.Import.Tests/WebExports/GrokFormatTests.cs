using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Tests.ChatApps;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.WebExports;

/// <summary>The real Grok export of ../shared/samples (prod-grok-backend.json shape), asserted against figures taken from its JSON.</summary>
public sealed class GrokFormatTests
{
    [Fact]
    public void Import_Sample_TreeTimesAndRequestedModelsMatchSource()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.Grok);
        var entries = ChatAppSamples.Load(path)["conversations"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var responses = entries.SelectMany(e => e["responses"]!.AsArray().Select(r => r!["response"]!.AsObject())).ToList();
        var parents = responses.Select(r => (string?)r["parent_response_id"]).OfType<string>().ToHashSet();
        var leaves = responses.Count(r => !parents.Contains((string)r["response_id"]!));
        var byId = responses.ToDictionary(r => (string)r["response_id"]!);
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("grok", Assert.Single(s.Files).Format);
        Assert.Equal((entries.Count, responses.Count, leaves), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal((1, 10, 1), (entries.Count, responses.Count, leaves)); // PROVENANCE.md's figures
        var conversation = entries[0]["conversation"]!;
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("grok", (string)conversation["conversation_id"]!, (string)conversation["title"]!), (view.Record.Format, view.Record.SourceId, view.Record.Title));
        Assert.Equal(Amber.Core.Time.Timestamps.Parse((string)conversation["create_time"]!), Amber.Core.Time.Timestamps.Parse(view.Record.Created));
        Assert.Equal((string)conversation["modify_time"]!, (string)view.Record.Meta!["modify_time"]!);
        var nodes = ChatAppSamples.BySourceMessage(view);
        var credited = 0;
        foreach (var r in responses)
        {
            var node = nodes[(string)r["response_id"]!];
            var human = (string)r["sender"]! == "human";
            Assert.Equal(human ? "user" : "assistant", node.Role);
            Assert.Equal((string)r["message"]!, Assert.IsType<TextBlock>(Assert.Single(node.Content)).Text);
            Assert.Equal((string?)r["parent_response_id"], node.Parent is null ? null : (string)view.Tree.Nodes[node.Parent].Meta!["source_id"]!);
            Assert.Equal(Amber.Core.Time.Timestamps.Parse((string)r["create_time"]!), Amber.Core.Time.Timestamps.Parse(node.Created));
            if (human)
            {
                Assert.Null(node.Generation);
                continue;
            }

            // The reply names no model; its request does (metadata.requestModelDetails.modelId): credited, marked inferred.
            var requested = (string)byId[(string)r["parent_response_id"]!]["metadata"]!["requestModelDetails"]!["modelId"]!;
            var model = view.Models[node.Generation!.Model];
            Assert.Equal(("xai", requested), (model.Provider, model.Requested));
            Assert.Equal("request.metadata.requestModelDetails.modelId", (string)node.Meta!["model_inferred"]!);
            credited++;
        }

        Assert.Equal(5, credited);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_SampleTwice_AddsNothingAndRawIsTheConversationEntry()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.Grok);
        var entry = ChatAppSamples.Load(path)["conversations"]![0];
        using var f = new ImportFixture();

        f.AssertReimportAddsNothing(path);

        var raw = f.Archive.GetBlob(ChatAppSamples.Single(f).Raw[^1])!;
        Assert.True(JsonNode.DeepEquals(entry, JsonNode.Parse(raw)));
        Assert.Contains(Encoding.UTF8.GetString(raw), File.ReadAllText(path), StringComparison.Ordinal); // the entry's own bytes
        Assert.StartsWith("{", Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_ResponsesReversed_GivesTheSameNodes()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.Grok);
        var file = ChatAppSamples.Load(path);
        var entry = file["conversations"]![0]!;
        entry["responses"] = new JsonArray([.. entry["responses"]!.AsArray().Select(r => r!.DeepClone()).Reverse()]);
        using var f = new ImportFixture();
        var shuffled = f.Temp("reversed.json");
        File.WriteAllText(shuffled, file.ToJsonString());
        var first = f.Import(path);

        var second = f.Import(shuffled);

        Assert.Empty(second.Errors);
        Assert.Equal((10, 0, 0), (first.NewNodes, second.NewConversations, second.NewNodes)); // parents come from parent_response_id, not order
    }

    [Fact]
    public void Import_TruncatedFile_IsRefusedNamingFileAndByte()
        => ChatAppSamples.AssertTruncatedHalfIsRefused(WebExportSamples.Grok, "grok");

    [Fact]
    public void Import_OwnModelThinkingAndMongoDates_CreditedAndKept()
    {
        // Synthetic: a reply naming its own model with a thinking trace, times as MongoDB extended JSON, a projects member.
        var export = new JsonObject
        {
            ["conversations"] = new JsonArray(new JsonObject
            {
                ["conversation"] = new JsonObject { ["conversation_id"] = "c1", ["title"] = "t", ["create_time"] = new JsonObject { ["$date"] = new JsonObject { ["$numberLong"] = "1750000000000" } } },
                ["responses"] = new JsonArray(
                    new JsonObject { ["response"] = new JsonObject { ["response_id"] = "r1", ["sender"] = "human", ["message"] = "q", ["parent_response_id"] = null } },
                    new JsonObject { ["response"] = new JsonObject { ["response_id"] = "r2", ["sender"] = "ASSISTANT", ["message"] = "a", ["parent_response_id"] = "r1", ["model"] = "grok-4", ["thinking_trace"] = "hm", ["partial"] = true } }),
            }),
            ["projects"] = new JsonArray(),
        };
        using var f = new ImportFixture();
        var path = f.Temp("prod-grok-backend.json");
        File.WriteAllText(path, export.ToJsonString());

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        var view = ChatAppSamples.Single(f);
        Assert.Equal("2025-06-15T15:06:40Z", Amber.Core.Time.Timestamps.Parse(view.Record.Created)!.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        var reply = ChatAppSamples.BySourceMessage(view)["r2"];
        Assert.Equal("grok-4", view.Models[reply.Generation!.Model].Requested);
        Assert.Null(reply.Meta!["model_inferred"]);
        Assert.Equal(("hm", "a"), (Assert.IsType<ThinkingBlock>(reply.Content[0]).Text, Assert.IsType<TextBlock>(reply.Content[1]).Text));
        Assert.Contains(NodeFlags.Interrupted, reply.Flags);
        Assert.Equal(2, f.Archive.GetStats().Blobs); // the entry's raw bytes and the whole file kept for its projects
    }
}
