using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ChatApps;

/// <summary>The real LibreChat exports of ../shared/samples (nested and flat, with and without branches), asserted against figures taken from their JSON.</summary>
public sealed class LibreChatFormatTests
{
    private const string RootParent = "00000000-0000-0000-0000-000000000000";

    public static TheoryData<string> Samples => ChatAppSamples.LibreChat;

    /// <summary>Every message of the export, nested ones included, with the message it is nested in.</summary>
    private static List<(JsonObject Message, string? Enclosing)> Messages(JsonObject export)
    {
        var all = new List<(JsonObject, string?)>();
        void Walk(JsonArray list, string? enclosing)
        {
            foreach (var m in list.Select(n => n!.AsObject()))
            {
                all.Add((m, enclosing));
                if (m["children"] is JsonArray children)
                {
                    Walk(children, (string)m["messageId"]!);
                }
            }
        }

        Walk(export["messages"]!.AsArray(), null);
        return all;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Import_Export_TreeModelsSettingsAndUsageMatchSource(string file)
    {
        var path = ChatAppSamples.PathOf(file);
        var export = ChatAppSamples.Load(path).AsObject();
        var messages = Messages(export);
        var named = messages.Select(m => (string?)m.Message["parentMessageId"]).OfType<string>().ToHashSet();
        var leaves = messages.Count(m => !named.Contains((string)m.Message["messageId"]!));
        var options = export["options"] as JsonObject;
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("librechat", Assert.Single(s.Files).Format);
        Assert.Equal((1, messages.Count, leaves), (s.Conversations, s.Nodes, s.Instances));
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("librechat", (string)export["conversationId"]!, (string)export["title"]!), (view.Record.Format, view.Record.SourceId, view.Record.Title));
        Assert.Equal((string)export["endpoint"]!, (string)view.Record.Meta!["endpoint"]!);
        Assert.True(JsonNode.DeepEquals(options, view.Record.Meta["options"]));
        var nodes = ChatAppSamples.BySourceMessage(view);
        foreach (var (m, enclosing) in messages)
        {
            var node = nodes[(string)m["messageId"]!];
            var byUser = (bool)m["isCreatedByUser"]!;
            Assert.Equal(byUser ? "user" : "assistant", node.Role);
            Assert.Equal((string)m["text"]!, node.SearchText);
            var parent = (string?)m["parentMessageId"] is { } p && p != RootParent ? p : enclosing;
            Assert.Equal(parent, node.Parent is null ? null : (string)view.Tree.Nodes[node.Parent].Meta!["source_id"]!);
            Assert.Equal(Amber.Core.Time.Timestamps.Parse((string)m["createdAt"]!), Amber.Core.Time.Timestamps.Parse(node.Created));
            if (byUser)
            {
                Assert.Null(node.Generation);
                continue;
            }

            // The message's own model, else the conversation's options.model marked inferred; credited to its endpoint.
            var model = (string?)m["model"] ?? (string?)options?["model"];
            var reference = view.Models[node.Generation!.Model];
            Assert.Equal((model, (string?)m["endpoint"] ?? (string)export["endpoint"]!), (reference.Requested, reference.Provider));
            Assert.Equal(m["model"] is null ? "options.model" : null, (string?)node.Meta!["model_inferred"]);
            Assert.Equal((int?)m["tokenCount"], (int?)node.Generation.Usage?["tokenCount"]);
            Assert.Equal((int?)m["promptTokens"], (int?)node.Generation.Usage?["promptTokens"]);
            Assert.Equal((string?)m["finish_reason"], node.Generation.FinishReason);
            Assert.Equal((double?)options?["temperature"], (double?)node.Generation.Parameters?["temperature"]);
            Assert.Equal((double?)options?["top_p"], (double?)node.Generation.Parameters?["top_p"]);
            Assert.Equal(m["unfinished"] is JsonValue u && (bool)u, node.Flags.Contains(NodeFlags.Interrupted));
        }

        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_Samples_FiguresAsCounted()
    {
        using var f = new ImportFixture();
        var paths = ChatAppSamples.LibreChat.Select(r => ChatAppSamples.PathOf((string)r.Data)).ToArray();

        var s = f.Import(paths);

        Assert.Empty(s.Errors);
        Assert.Equal((4, 6 + 2 + 5 + 9, 1 + 1 + 3 + 3), (s.Conversations, s.Nodes, s.Instances)); // PROVENANCE.md's figures
        var tree = ChatAppSamples.BySourceId(f)["4a86c40e-e627-4454-b158-889680e23ad3"];
        Assert.Equal(("openAI", "gpt-4-turbo"), (tree.Models.Values.Single().Provider, tree.Models.Values.Single().Requested));
        Assert.Equal(0.8, (double)tree.Tree.Nodes.Values.First(n => n.Generation is not null).Generation!.Parameters!["temperature"]!);
        Assert.Equal("You are an expert software engineer.", (string)tree.Tree.Nodes.Values.First(n => n.Generation is not null).Generation!.Parameters!["promptPrefix"]!);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Import_ExportTwice_AddsNothingAndRawIsTheFile(string file)
    {
        var path = ChatAppSamples.PathOf(file);
        using var f = new ImportFixture();

        f.AssertReimportAddsNothing(path);

        // The conversation object's exact bytes: the file without the line break after it.
        Assert.Equal(File.ReadAllBytes(path).AsSpan().TrimEnd("\r\n"u8).ToArray(), f.Archive.GetBlob(ChatAppSamples.Single(f).Raw[^1]));
    }

    [Fact]
    public void Import_NestedExportFlattenedAndShuffled_GivesTheSameNodes()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.LibreChatFolder + "/librechat-tree.json");
        var export = ChatAppSamples.Load(path).AsObject();
        var flat = Messages(export).Select(m =>
        {
            var copy = m.Message.DeepClone().AsObject();
            copy.Remove("children");
            return (JsonNode)copy;
        }).Reverse().ToArray();
        export["recursive"] = false;
        export["messages"] = new JsonArray(flat);
        using var f = new ImportFixture();
        var shuffled = f.Temp("flat-shuffled.json");
        File.WriteAllText(shuffled, export.ToJsonString());
        var first = f.Import(path);

        var second = f.Import(shuffled);

        Assert.Empty(second.Errors);
        Assert.Equal((9, 0, 0), (first.NewNodes, second.NewConversations, second.NewNodes)); // parents come from parentMessageId, not nesting or order
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Import_TruncatedExport_IsRefusedNamingFileAndByte(string file)
        => ChatAppSamples.AssertTruncatedHalfIsRefused(file, "librechat");

    [Fact]
    public void Import_ParentCycle_IsRefusedNamingTheMessages()
    {
        var export = new JsonObject
        {
            ["conversationId"] = "c",
            ["endpoint"] = "openAI",
            ["messages"] = new JsonArray(
                new JsonObject { ["messageId"] = "m1", ["parentMessageId"] = "m2", ["isCreatedByUser"] = true, ["text"] = "a" },
                new JsonObject { ["messageId"] = "m2", ["parentMessageId"] = "m1", ["isCreatedByUser"] = false, ["text"] = "b" }),
        };
        using var f = new ImportFixture();
        var path = f.Temp("cycle.json");
        File.WriteAllText(path, export.ToJsonString());

        var s = f.Import(path);

        var error = Assert.Single(s.Errors);
        Assert.Contains("conversation c", error, StringComparison.Ordinal);
        Assert.Contains("m1, m2", error, StringComparison.Ordinal);
        Assert.Contains("cycle", error, StringComparison.Ordinal);
    }
}
