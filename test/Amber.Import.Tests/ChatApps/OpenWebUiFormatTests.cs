using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.OpenWebUi;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ChatApps;

/// <summary>The real Open WebUI chat of ../shared/samples and synthetic export files, asserted against figures taken from their JSON.</summary>
public sealed class OpenWebUiFormatTests
{
    [Fact]
    public void Detect_OpenWebUiChat_IsOpenWebUiAndNotOpenAiMessages()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.OpenWebUi);

        var (detected, openAiClaims) = ChatAppSamples.Detection(path, "openai-jsonl");

        Assert.Equal("openwebui", detected);
        Assert.False(openAiClaims); // its linear "messages" copy used to be taken for an OpenAI messages record
    }

    [Fact]
    public void Import_Sample_TreeModelsAndUsageMatchSource()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.OpenWebUi);
        var chat = ChatAppSamples.Load(path).AsObject();
        var messages = chat["history"]!["messages"]!.AsObject().Select(p => p.Value!.AsObject()).ToList();
        var named = messages.Select(m => (string?)m["parentId"]).OfType<string>().ToHashSet();
        var leaves = messages.Count(m => !named.Contains((string)m["id"]!));
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("openwebui", Assert.Single(s.Files).Format);
        Assert.Equal((1, messages.Count, leaves), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal((1, 2, 1), (s.Conversations, s.Nodes, s.Instances));
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("openwebui", (string)chat["title"]!), (view.Record.Format, view.Record.Title));
        Assert.Equal("message:" + messages.Single(m => m["parentId"] is null)["id"], view.Record.SourceId); // its id is "": named by its first message
        var nodes = ChatAppSamples.BySourceMessage(view);
        foreach (var m in messages)
        {
            var node = nodes[(string)m["id"]!];
            Assert.Equal((string)m["role"]!, node.Role);
            Assert.Equal((string)m["content"]!, node.SearchText);
            var parent = (string?)m["parentId"];
            Assert.Equal(parent, node.Parent is null ? null : (string)view.Tree.Nodes[node.Parent].Meta!["source_id"]!);
            Assert.Equal((string?)m["model"], node.Generation is null ? null : view.Models[node.Generation.Model].Requested);
            Assert.True(JsonNode.DeepEquals(m["usage"], node.Generation?.Usage), $"usage of {m["id"]}");
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)m["timestamp"]!), Amber.Core.Time.Timestamps.Parse(node.Created));
        }

        Assert.Equal("deepseek/deepseek-chat:free", Assert.Single(view.Models.Values).Requested);
        Assert.Equal(336, (int)nodes.Values.Single(n => n.Role == "assistant").Generation!.Usage!["total_tokens"]!);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_SampleTwice_AddsNothingAndRawIsTheFile()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.OpenWebUi);
        using var f = new ImportFixture();

        f.AssertReimportAddsNothing(path);

        Assert.Equal(File.ReadAllBytes(path), f.Archive.GetBlob(ChatAppSamples.Single(f).Raw[^1]));
    }

    [Fact]
    public void Import_TruncatedSample_IsRefusedNamingFileAndByte()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.OpenWebUi);
        var bytes = File.ReadAllBytes(path);
        using var f = new ImportFixture();
        var cut = f.Temp("cut.json");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);

        var s = f.ImportAs("openwebui", cut);

        var error = Assert.Single(s.Errors);
        Assert.StartsWith(cut + ": ", error, StringComparison.Ordinal);
        Assert.Contains("byte", error, StringComparison.Ordinal);
        Assert.Empty(f.Archive.ListConversations(10));
    }

    [Fact]
    public void Import_ShuffledHistory_GivesTheSameNodes()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.OpenWebUi);
        var chat = ChatAppSamples.Load(path).AsObject();
        var history = chat["history"]!["messages"]!.AsObject();
        var reversed = new JsonObject(history.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        chat["history"]!["messages"] = reversed;
        using var f = new ImportFixture();
        var shuffled = f.Temp("shuffled.json");
        File.WriteAllText(shuffled, chat.ToJsonString());
        var first = f.Import(path);

        var second = f.Import(shuffled);

        Assert.Empty(second.Errors);
        Assert.Equal((2, 0, 0), (first.NewNodes, second.NewConversations, second.NewNodes)); // the order comes from parentId, not the map
    }

    [Fact]
    public void Import_ExportArrayWithBranchAndImage_KeepsTreeBlobAndInferredModel()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 };
        var export = new JsonArray(
            new JsonObject
            {
                ["id"] = "chat-1",
                ["user_id"] = "u",
                ["title"] = "Branched",
                ["created_at"] = 1_700_000_000,
                ["updated_at"] = 1_700_000_100,
                ["chat"] = new JsonObject
                {
                    ["models"] = new JsonArray("llama3:8b"),
                    ["params"] = new JsonObject { ["temperature"] = 0.2 },
                    ["history"] = new JsonObject
                    {
                        ["currentId"] = "a2",
                        ["messages"] = new JsonObject
                        {
                            ["u1"] = new JsonObject
                            {
                                ["id"] = "u1",
                                ["parentId"] = null,
                                ["childrenIds"] = new JsonArray("a1", "a2"),
                                ["role"] = "user",
                                ["content"] = "what is this?",
                                ["timestamp"] = 1_700_000_000,
                                ["files"] = new JsonArray(new JsonObject { ["type"] = "image", ["url"] = "data:image/png;base64," + Convert.ToBase64String(png) }),
                            },
                            ["a1"] = new JsonObject { ["id"] = "a1", ["parentId"] = "u1", ["childrenIds"] = new JsonArray(), ["role"] = "assistant", ["content"] = "a picture", ["model"] = "llama3:8b", ["timestamp"] = 1_700_000_001 },
                            ["a2"] = new JsonObject { ["id"] = "a2", ["parentId"] = "u1", ["childrenIds"] = new JsonArray(), ["role"] = "assistant", ["content"] = "an image", ["timestamp"] = 1_700_000_002, ["done"] = false },
                        },
                    },
                    ["messages"] = new JsonArray(),
                },
            });
        using var f = new ImportFixture();
        var path = f.Temp("chat-export.json");
        File.WriteAllText(path, export.ToJsonString());

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal(("openwebui", 1, 3, 2), (Assert.Single(s.Files).Format, s.Conversations, s.Nodes, s.Instances));
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("chat-1", "Branched", "2023-11-14T22:13:20Z"), (view.Record.SourceId, view.Record.Title, view.Record.Created));
        var nodes = ChatAppSamples.BySourceMessage(view);
        var image = Assert.IsType<BlobBlock>(nodes["u1"].Content[^1]);
        Assert.Equal((ContentId.Of(png), "image/png"), (image.Blob, image.MediaType));
        Assert.Equal(png, f.Archive.GetBlob(image.Blob));
        Assert.Equal(image.Blob, (string)nodes["u1"].Meta!["files"]![0]!["url"]!); // the base64 is not stored twice
        Assert.Equal(["a1", "a2"], view.Tree.ChildrenOf(view.Tree.Roots.Single()).Select(id => (string)view.Tree.Nodes[id].Meta!["source_id"]!).Order());
        Assert.Null(nodes["a1"].Meta!["model_inferred"]);
        Assert.Equal("chat.models", (string)nodes["a2"].Meta!["model_inferred"]!); // no model of its own: the chat's only one, said so
        Assert.All([nodes["a1"], nodes["a2"]], n => Assert.Equal("llama3:8b", view.Models[n.Generation!.Model].Requested));
        Assert.Equal(0.2, (double)nodes["a1"].Generation!.Parameters!["temperature"]!);
        Assert.Contains(NodeFlags.Interrupted, nodes["a2"].Flags);
        Assert.Null(nodes["u1"].Meta!["childrenIds"]);
        Assert.Equal(1_700_000_100, (long)view.Record.Meta!["export"]!["updated_at"]!);
        Assert.Equal(Encoding.UTF8.GetBytes(export[0]!.ToJsonString()), f.Archive.GetBlob(view.Raw[^1]));
    }
}
