using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.OpenAiMessages;
using Amber.Import.Tests.ShareGpt;

namespace Amber.Import.Tests.OpenAiMessages;

public sealed class OpenAiMessagesFormatTests
{
    private const string Kto = "llamafactory-demo-data/kto_en_demo.part.json";
    private const string Reason = "llamafactory-demo-data/reason_tool_use_demo_50.part.jsonl";

    // The samples part is another slice of the same files (shared/samples/PROVENANCE.md).
    [Theory]
    [InlineData("corpus/" + Kto, 200, 668)]
    [InlineData("corpus/" + Reason, 34, 172)]
    [InlineData("samples/" + Kto, 100, 306)]
    [InlineData("samples/" + Reason, 16, 102)]
    public void Import_CorpusFile_CountsMatchTheSource(string file, int records, int messages)
    {
        var path = ImportFixture.Shared(file);
        var source = DatasetTestData.Records(path);
        Assert.Equal((records, messages), (source.Count, source.Sum(r => ((JsonArray)r.Record["messages"]!).Count)));

        using var fixture = new ImportFixture();
        var summary = fixture.Import(path);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(OpenAiMessagesFormat.FormatName, Assert.Single(summary.Files).Format);
        Assert.Equal((records, messages, records, records), (summary.Conversations, summary.Nodes, summary.Instances, summary.NewConversations));
        var stats = fixture.Archive.GetStats();
        Assert.Equal((records, messages, records), ((int)stats.Conversations, (int)stats.Nodes, (int)stats.Instances));
    }

    [Fact]
    public void Import_ReasoningToolUseFile_MapsTypedParts()
    {
        var path = ImportFixture.Corpus(Reason);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);

        var messages = source.SelectMany(r => ((JsonArray)r.Record["messages"]!).Select(m => (JsonObject)m!)).ToList();
        var parts = messages.SelectMany(m => ((JsonArray)m["content"]!).Select(p => ((string)m["role"]!, (string)p!["type"]!))).ToList();
        var nodes = DatasetTestData.AllNodes(fixture.Archive);
        var blocks = DatasetTestData.BlockCounts(nodes);
        Assert.Equal(parts.Count(p => p.Item2 == "reasoning"), blocks["thinking"]);
        Assert.Equal(parts.Count(p => p.Item2 == "tool_call"), blocks["tool_call"]);
        Assert.Equal(parts.Count(p => p is (not "tool", "text")), blocks["text"]);
        Assert.Equal(messages.Count(m => (string)m["role"]! == "tool"), blocks["tool_result"]);
        Assert.Equal(parts.Count(p => p is ("tool", "text")), blocks["tool_result/text"]);
        Assert.False(blocks.ContainsKey("opaque"));
        Assert.Equal(messages.Count(m => (string)m["role"]! == "system"), nodes.Count(n => n.Flags.Contains(NodeFlags.System)));

        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        foreach (var i in new[] { 0, 17, source.Count - 1 })
        {
            var view = DatasetTestData.View(fixture.Archive, OpenAiMessagesFormat.FormatName, "openai-jsonl:" + Path.GetFileName(path), ids[i]);
            var chain = view.Tree.PathTo(view.Tree.Leaves.Single()).Select(p => p.Node).ToList();
            Assert.Equal(((JsonArray)source[i].Record["messages"]!).Select(m => (string)m!["role"]!), chain.Select(n => n.Role));
            Assert.Equal((string)source[i].Record["tools"]!, (string)view.Record.Meta!["tools"]!);
            DatasetTestData.AssertRawEquals(fixture.Archive, view, source[i].Record);
        }

        // A tool_call part's value is JSON text: name and arguments come out parsed.
        var call = nodes.SelectMany(n => n.Content).OfType<ToolCallBlock>().First(c => c.Arguments is JsonObject { Count: > 0 });
        Assert.False(string.IsNullOrEmpty(call.Name));
    }

    [Fact]
    public void Import_KtoFile_KeepsTheLabelInTheConversationMeta()
    {
        var path = ImportFixture.Corpus(Kto);
        var source = DatasetTestData.Records(path);
        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);

        var labels = fixture.Archive.ListConversations(int.MaxValue).Select(s => fixture.Archive.GetConversation(s.Id)!.Record.Meta!["label"]!.GetValue<bool>()).ToList();
        Assert.Equal(source.Count(r => (bool)r.Record["label"]!), labels.Count(l => l));
        for (var i = 0; i < source.Count; i += 40)
        {
            var view = DatasetTestData.View(fixture.Archive, OpenAiMessagesFormat.FormatName, "openai-jsonl:" + Path.GetFileName(path), ids[i]);
            Assert.Equal((bool)source[i].Record["label"]!, view.Record.Meta!["label"]!.GetValue<bool>());
            Assert.Equal(1, view.Summary.Instances);
            Assert.Equal("T4", view.Summary.Tier);
            DatasetTestData.AssertRawEquals(fixture.Archive, view, source[i].Record);
        }
    }

    [Fact]
    public void Import_SameFileTwice_AddsNothing()
    {
        var path = ImportFixture.Corpus(Reason);
        using var fixture = new ImportFixture();
        DatasetTestData.AssertOk(fixture.Import(path), fixture.Archive);
        DatasetTestData.AssertReimportAddsNothing(fixture, path);
    }

    [Fact]
    public void Import_OlderSliceThenFull_AddsOnlyTheNewRecords()
    {
        var path = ImportFixture.Corpus(Kto);
        var source = DatasetTestData.Records(path);
        using var fixture = new ImportFixture();
        Directory.CreateDirectory(fixture.Temp("v1"));
        var older = fixture.Temp("v1/" + Path.GetFileName(path));
        File.WriteAllLines(older, source.Take(150).Select(r => r.Record.ToJsonString()));
        DatasetTestData.AssertOk(fixture.Import(older), fixture.Archive);

        var full = fixture.Import(path);

        // Re-serialized records hash the same: the id is over canonical JSON, not the file's bytes.
        DatasetTestData.AssertOk(full, fixture.Archive);
        Assert.Equal(50, full.NewConversations);
        Assert.Equal(source.Count, (int)fixture.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_RecordsWithIdsGainingMessages_MergeIntoTheSameConversations()
    {
        using var fixture = new ImportFixture();
        var older = fixture.Temp("older.jsonl");
        File.WriteAllLines(older, ["""{"id": "r1", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"""]);
        var newer = fixture.Temp("newer.jsonl");
        File.WriteAllLines(newer, ["""{"id": "r1", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "More"}]}"""]);
        DatasetTestData.AssertOk(fixture.Import(older), fixture.Archive);

        // Same dataset under the same file name in another folder: same source, same conversation.
        var dir = fixture.Temp("v2");
        Directory.CreateDirectory(dir);
        File.Copy(newer, Path.Combine(dir, "older.jsonl"));
        var second = fixture.Import(Path.Combine(dir, "older.jsonl"));

        DatasetTestData.AssertOk(second, fixture.Archive);
        Assert.Equal((0, 1), (second.NewConversations, second.NewNodes));
        var view = DatasetTestData.View(fixture.Archive, OpenAiMessagesFormat.FormatName, "openai-jsonl:older.jsonl", "r1");
        Assert.Equal(3, view.Tree.Count);
        Assert.Equal(2, view.Raw.Count);
    }

    [Fact]
    public void Import_ApiShapedMessages_MapToolCallsResultsImagesAndAudio()
    {
        using var fixture = new ImportFixture();
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 };
        var wav = Encoding.ASCII.GetBytes("RIFF....WAVE");
        var path = fixture.Temp("api.jsonl");
        var record = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "developer", ["content"] = "Use tools." },
                new JsonObject
                {
                    ["role"] = "user",
                    ["name"] = "ann",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "text", ["text"] = "What is this?" },
                        new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64," + Convert.ToBase64String(png), ["detail"] = "low" } },
                        new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.com/a.png" } },
                        new JsonObject { ["type"] = "input_audio", ["input_audio"] = new JsonObject { ["data"] = Convert.ToBase64String(wav), ["format"] = "wav" } },
                        new JsonObject { ["type"] = "file", ["file"] = new JsonObject { ["file_id"] = "f1" } }),
                },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["reasoning_content"] = "Look it up.",
                    ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "lookup", ["arguments"] = "{\"q\":\"png\"}" } }),
                },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "an image" },
                new JsonObject { ["role"] = "assistant", ["content"] = "" }),
            ["label"] = false,
        };
        File.WriteAllText(path, record.ToJsonString() + "\n");

        var summary = fixture.Import(path);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(OpenAiMessagesFormat.FormatName, summary.Files.Single().Format);
        var view = fixture.Archive.GetConversation(fixture.Archive.ListConversations(1).Single().Id)!;
        var chain = view.Tree.PathTo(view.Tree.Leaves.Single()).Select(p => p.Node).ToList();
        Assert.Equal(["developer", "user", "assistant", "tool", "assistant"], chain.Select(n => n.Role));
        Assert.Contains(NodeFlags.System, chain[0].Flags);
        Assert.Equal("ann", (string)chain[1].Meta!["name"]!);

        var user = chain[1].Content;
        Assert.Equal(new TextBlock("What is this?"), user[0]);
        var image = Assert.IsType<BlobBlock>(user[1]);
        Assert.Equal(("image", ContentId.Of(png), "image/png", (long?)png.Length), (image.BlobKind, image.Blob, image.MediaType, image.Size));
        Assert.Equal(png, fixture.Archive.GetBlob(image.Blob));
        Assert.Equal("low", (string)((OpaqueBlock)user[2]).Value!["detail"]!);
        Assert.Equal("https://example.com/a.png", (string)((OpaqueBlock)user[3]).Value!["image_url"]!["url"]!);
        var audio = Assert.IsType<BlobBlock>(user[4]);
        Assert.Equal(("audio", "audio/wav"), (audio.BlobKind, audio.MediaType));
        Assert.Equal(wav, fixture.Archive.GetBlob(audio.Blob));
        Assert.Equal("file", ((OpaqueBlock)user[5]).ItemType);

        Assert.Equal(new ThinkingBlock("Look it up."), chain[2].Content[0]);
        var call = Assert.IsType<ToolCallBlock>(chain[2].Content[1]);
        Assert.Equal(("call_1", "lookup", "{\"q\":\"png\"}"), (call.Id, call.Name, call.Arguments!.GetValue<string>()));
        var result = Assert.IsType<ToolResultBlock>(Assert.Single(chain[3].Content));
        Assert.Equal(("call_1", "an image"), (result.CallId, ((TextBlock)result.Content.Single()).Text));
        Assert.Contains(NodeFlags.Empty, chain[4].Flags);
        Assert.False(view.Record.Meta!["label"]!.GetValue<bool>());
    }

    [Fact]
    public void Import_RecordOfUnknownShape_NamesItAndCommitsNothing()
    {
        using var fixture = new ImportFixture();
        var bad = fixture.Temp("bad.jsonl");
        File.WriteAllLines(bad,
        [
            """{"messages": [{"role": "user", "content": "a"}]}""",
            """{"messages": [{"content": "no role"}]}""",
        ]);

        var summary = fixture.Import(bad);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("bad.jsonl", error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.Contains("role", error, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Archive.GetStats().Conversations);
    }
}
