using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Tests.ChatApps;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.WebExports;

/// <summary>The real Google AI Studio prompt of ../shared/samples (a chunked prompt with a thought chunk), asserted against figures taken from its JSON.</summary>
public sealed class AiStudioFormatTests
{
    [Fact]
    public void Import_Sample_ChunksThoughtsSettingsAndTokenCountsMatchSource()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.AiStudio);
        var prompt = ChatAppSamples.Load(path);
        var chunks = prompt["chunkedPrompt"]!["chunks"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var settings = prompt["runSettings"]!.AsObject();
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("aistudio", Assert.Single(s.Files).Format);
        Assert.Equal((1, chunks.Count, 1), (s.Conversations, s.Nodes, s.Instances)); // a linear chain: one leaf
        Assert.Equal(3, chunks.Count); // PROVENANCE.md's figure
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("aistudio", "aistudio_example"), (view.Record.Format, view.Record.Title));
        Assert.StartsWith("first:sha256:", view.Record.SourceId, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(settings, view.Record.Meta!["runSettings"]));
        var byIndex = view.Tree.Nodes.ToDictionary(kv => (int)kv.Value.Meta!["source_index"]!);
        var thoughts = 0;
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var node = byIndex[i].Value;
            Assert.Equal(i == 0 ? null : byIndex[i - 1].Key, node.Parent);
            var thought = chunk["isThought"] is JsonValue t && (bool)t;
            var text = (string)chunk["text"]!;
            Assert.Equal(text, thought ? Assert.IsType<ThinkingBlock>(Assert.Single(node.Content)).Text : Assert.IsType<TextBlock>(Assert.Single(node.Content)).Text);
            thoughts += thought ? 1 : 0;
            if ((string)chunk["role"]! == "user")
            {
                Assert.Equal("user", node.Role);
                Assert.Null(node.Generation);
                Assert.Equal((int)chunk["tokenCount"]!, (int)node.Meta!["tokenCount"]!);
                continue;
            }

            // runSettings' model (provider google, "models/" dropped) credited to each model chunk, marked inferred.
            Assert.Equal("assistant", node.Role);
            var model = view.Models[node.Generation!.Model];
            Assert.Equal(("google", ((string)settings["model"]!)["models/".Length..]), (model.Provider, model.Requested));
            Assert.Equal("runSettings.model", (string)node.Meta!["model_inferred"]!);
            Assert.Equal((int)chunk["tokenCount"]!, (int)node.Generation.Usage!["tokenCount"]!);
            foreach (var name in new[] { "temperature", "topP", "topK", "maxOutputTokens" })
            {
                Assert.Equal((double)settings[name]!, (double)node.Generation.Parameters![name]!);
            }
        }

        Assert.Equal(1, thoughts);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_SampleTwice_AddsNothingAndRawIsTheFile()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.AiStudio);
        using var f = new ImportFixture();

        f.AssertReimportAddsNothing(path);

        Assert.Equal(WebExportSamples.Object(path), f.Archive.GetBlob(ChatAppSamples.Single(f).Raw[^1]));
    }

    [Fact]
    public void Import_PromptSavedAgainLonger_JoinsTheSameConversation()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.AiStudio);
        var prompt = ChatAppSamples.Load(path);
        prompt["chunkedPrompt"]!["chunks"]!.AsArray().Add(new JsonObject { ["role"] = "user", ["text"] = "and then?", ["tokenCount"] = 3 });
        using var f = new ImportFixture();
        var grown = f.Temp("renamed prompt.json");
        File.WriteAllText(grown, prompt.ToJsonString());
        var first = f.Import(path);

        var second = f.Import(grown);

        Assert.Empty(second.Errors);
        Assert.Equal((3, 0, 1), (first.NewNodes, second.NewConversations, second.NewNodes));
    }

    [Fact]
    public void Import_ChunksReversed_IsAnotherPrompt()
    {
        // Chunks have no ids or times: their order is the conversation, so a reordered copy is documented as a different prompt.
        var path = ChatAppSamples.PathOf(WebExportSamples.AiStudio);
        var prompt = ChatAppSamples.Load(path);
        prompt["chunkedPrompt"]!["chunks"] = new JsonArray([.. prompt["chunkedPrompt"]!["chunks"]!.AsArray().Select(c => c!.DeepClone()).Reverse()]);
        using var f = new ImportFixture();
        var reversed = f.Temp("reversed.json");
        File.WriteAllText(reversed, prompt.ToJsonString());
        f.Import(path);

        var second = f.Import(reversed);

        Assert.Empty(second.Errors);
        Assert.Equal((1, 3), (second.NewConversations, second.NewNodes));
    }

    [Fact]
    public void Import_TruncatedFile_IsRefusedNamingFileAndByte()
        => ChatAppSamples.AssertTruncatedHalfIsRefused(WebExportSamples.AiStudio, "aistudio");

    [Fact]
    public void Import_SystemInstruction_IsTheSystemRoot()
    {
        var prompt = new JsonObject
        {
            ["runSettings"] = new JsonObject { ["model"] = "models/gemini-2.5-flash", ["temperature"] = 0.2 },
            ["systemInstruction"] = new JsonObject { ["text"] = "be brief" },
            ["chunkedPrompt"] = new JsonObject { ["chunks"] = new JsonArray(new JsonObject { ["role"] = "user", ["text"] = "hi" }, new JsonObject { ["role"] = "model", ["text"] = "hello", ["finishReason"] = "STOP" }) },
        };
        using var f = new ImportFixture();
        var path = f.Temp("prompt.json");
        File.WriteAllText(path, prompt.ToJsonString());

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal(("aistudio", 3, 1), (Assert.Single(s.Files).Format, s.Nodes, s.Instances));
        var view = ChatAppSamples.Single(f);
        var root = view.Tree.Nodes.Values.Single(n => n.Parent is null);
        Assert.Equal(("system", "be brief"), (root.Role, root.SearchText));
        Assert.Contains(NodeFlags.System, root.Flags);
        var reply = view.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Equal(("gemini-2.5-flash", "STOP", 0.2), (view.Models[reply.Generation!.Model].Requested, reply.Generation.FinishReason, (double)reply.Generation.Parameters!["temperature"]!));
    }
}
