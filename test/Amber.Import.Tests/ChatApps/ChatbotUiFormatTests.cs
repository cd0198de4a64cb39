using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ChatApps;

/// <summary>The real Chatbot UI export of ../shared/samples, asserted against figures taken from its JSON.</summary>
public sealed class ChatbotUiFormatTests
{
    [Fact]
    public void Detect_ChatbotUiExport_IsChatbotUi()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.ChatbotUi);

        Assert.Equal(("chatbot-ui", false), ChatAppSamples.Detection(path, "openai-jsonl"));
    }

    [Fact]
    public void Import_Export_ConversationsModelsAndSettingsMatchSource()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.ChatbotUi);
        var history = ChatAppSamples.Load(path)["history"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var messages = history.Sum(c => c["messages"]!.AsArray().Count);
        var leaves = history.Count(c => c["messages"]!.AsArray().Count > 0);
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("chatbot-ui", Assert.Single(s.Files).Format);
        Assert.Equal((history.Count, messages, leaves), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal((2, 6, 2), (s.Conversations, s.Nodes, s.Instances)); // PROVENANCE.md's figures
        var views = ChatAppSamples.BySourceId(f);
        foreach (var c in history)
        {
            var view = views[(string)c["id"]!];
            Assert.Equal(("chatbot-ui", (string)c["name"]!), (view.Record.Format, view.Record.Title));
            var chain = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
            var source = c["messages"]!.AsArray().Select(m => m!.AsObject()).ToList();
            Assert.Equal(source.Select(m => ((string)m["role"]!, (string)m["content"]!)), chain.Select(n => (n.Role, n.SearchText)));
            foreach (var node in chain.Where(n => n.Role == "assistant"))
            {
                Assert.Equal(((string)c["model"]!["id"]!, "chatbot-ui"), (view.Models[node.Generation!.Model].Requested, view.Models[node.Generation.Model].Provider));
                Assert.Equal("conversation.model", (string)node.Meta!["model_inferred"]!);
                Assert.Equal((double)c["temperature"]!, (double)node.Generation.Parameters!["temperature"]!);
                Assert.Equal((string)c["prompt"]!, (string)node.Generation.Parameters["prompt"]!);
            }

            Assert.True(JsonNode.DeepEquals(c["model"], view.Record.Meta!["model"]));
            Assert.True(JsonNode.DeepEquals(c, JsonNode.Parse(f.Archive.GetBlob(view.Raw[^1])!)));
        }

        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_ExportTwice_AddsNothingKeepsEntryBytesAndTheWholeFile()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.ChatbotUi);
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.UTF8.GetString(bytes);
        using var f = new ImportFixture();

        f.AssertReimportAddsNothing(path);

        foreach (var view in ChatAppSamples.BySourceId(f).Values)
        {
            var raw = Encoding.UTF8.GetString(f.Archive.GetBlob(view.Raw[^1])!);
            Assert.StartsWith("{", raw, StringComparison.Ordinal);
            Assert.Contains(raw, text, StringComparison.Ordinal); // the entry's exact bytes, a slice of the file
        }

        Assert.Equal(bytes.AsSpan().TrimEnd("\r\n"u8).ToArray(), f.Archive.GetBlob(ContentId.Of(bytes.AsSpan().TrimEnd("\r\n"u8)))); // folders and the prompt library
    }

    [Fact]
    public void Import_TruncatedOrReorderedExport_RefusedOrTheSameNodes()
    {
        var path = ChatAppSamples.PathOf(ChatAppSamples.ChatbotUi);
        var bytes = File.ReadAllBytes(path);
        var export = ChatAppSamples.Load(path).AsObject();
        var history = export["history"]!.AsArray();
        export["history"] = new JsonArray([.. history.Reverse().Select(c => c!.DeepClone())]);
        using var f = new ImportFixture();
        var cut = f.Temp("cut.json");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var reordered = f.Temp("reordered.json");
        File.WriteAllText(reordered, export.ToJsonString());

        var truncated = f.ImportAs("chatbot-ui", cut);
        var first = f.Import(path);
        var second = f.Import(reordered);

        var error = Assert.Single(truncated.Errors);
        Assert.StartsWith(cut + ": ", error, StringComparison.Ordinal);
        Assert.Contains("byte", error, StringComparison.Ordinal);
        Assert.Empty(second.Errors);
        Assert.Equal((6, 0, 0), (first.NewNodes, second.NewConversations, second.NewNodes)); // conversations are found by id, whatever their order
    }
}
