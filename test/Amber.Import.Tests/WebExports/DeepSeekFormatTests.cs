using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Tests.ChatApps;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.WebExports;

/// <summary>The real DeepSeek web chat of ../shared/samples (a tree of edits and regenerations, some with thinking), asserted against figures taken from its JSON.</summary>
public sealed class DeepSeekFormatTests
{
    private static JsonArray Messages(JsonNode file) => file["data"]!["biz_data"]!["chat_messages"]!.AsArray();

    [Fact]
    public void Import_Sample_TreeFragmentsTimesAndUsageMatchSource()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.DeepSeek);
        var file = ChatAppSamples.Load(path);
        var session = file["data"]!["biz_data"]!["chat_session"]!;
        var messages = Messages(file).Select(m => m!.AsObject()).ToList();
        var parents = messages.Select(m => m["parent_id"]?.ToJsonString()).OfType<string>().ToHashSet();
        var leaves = messages.Count(m => !parents.Contains(m["message_id"]!.ToJsonString()));
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("deepseek", Assert.Single(s.Files).Format);
        Assert.Equal((1, messages.Count, leaves), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal((11, 6), (messages.Count, leaves)); // PROVENANCE.md's figures
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("deepseek", (string)session["id"]!, (string)session["title"]!), (view.Record.Format, view.Record.SourceId, view.Record.Title));
        Assert.Equal(Epoch(session["inserted_at"]!), Amber.Core.Time.Timestamps.Parse(view.Record.Created));
        Assert.Equal((double)session["updated_at"]!, (double)view.Record.Meta!["updated_at"]!);
        Assert.Equal((int)session["current_message_id"]!, (int)view.Record.Meta["current_message_id"]!);
        var nodes = ChatAppSamples.BySourceMessage(view);
        var thinking = 0;
        foreach (var m in messages)
        {
            var node = nodes[m["message_id"]!.ToJsonString()];
            Assert.Equal(((string)m["role"]!).ToLowerInvariant(), node.Role);
            var parent = m["parent_id"]?.ToJsonString();
            Assert.Equal(parent, node.Parent is null ? null : (string)view.Tree.Nodes[node.Parent].Meta!["source_id"]!);
            Assert.Equal(Epoch(m["inserted_at"]!), Amber.Core.Time.Timestamps.Parse(node.Created));

            // One block per fragment, in order: THINK as thinking, REQUEST and RESPONSE as text.
            var fragments = m["fragments"]!.AsArray().Select(x => x!.AsObject()).ToList();
            Assert.Equal(fragments.Count, node.Content.Count);
            for (var i = 0; i < fragments.Count; i++)
            {
                var text = (string)fragments[i]["content"]!;
                Assert.Equal(text, (string)fragments[i]["type"]! == "THINK" ? Assert.IsType<ThinkingBlock>(node.Content[i]).Text : Assert.IsType<TextBlock>(node.Content[i]).Text);
                thinking += (string)fragments[i]["type"]! == "THINK" ? 1 : 0;
            }

            // The web app names no model: none is guessed, and the token count and switches stay with the node.
            Assert.Null(node.Generation);
            Assert.Equal((int)m["accumulated_token_usage"]!, (int)node.Meta!["accumulated_token_usage"]!);
            Assert.Equal((bool)m["thinking_enabled"]!, (bool)node.Meta["thinking_enabled"]!);
            Assert.Equal(node.Role == "assistant", node.Meta["model_unknown"] is JsonValue u && (bool)u);
        }

        Assert.Equal(3, thinking);
        Assert.Empty(view.Models);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_SampleTwice_AddsNothingAndRawIsTheFile()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.DeepSeek);
        using var f = new ImportFixture();

        f.AssertReimportAddsNothing(path);

        Assert.Equal(WebExportSamples.Object(path), f.Archive.GetBlob(ChatAppSamples.Single(f).Raw[^1]));
    }

    [Fact]
    public void Import_MessagesReversed_GivesTheSameNodes()
    {
        var path = ChatAppSamples.PathOf(WebExportSamples.DeepSeek);
        var file = ChatAppSamples.Load(path);
        var reversed = Messages(file).Select(m => m!.DeepClone()).Reverse().ToArray();
        file["data"]!["biz_data"]!["chat_messages"] = new JsonArray(reversed);
        using var f = new ImportFixture();
        var shuffled = f.Temp("reversed.json");
        File.WriteAllText(shuffled, file.ToJsonString());
        var first = f.Import(path);

        var second = f.Import(shuffled);

        Assert.Empty(second.Errors);
        Assert.Equal((11, 0, 0), (first.NewNodes, second.NewConversations, second.NewNodes)); // parents come from parent_id, not order
    }

    [Fact]
    public void Import_TruncatedFile_IsRefusedNamingFileAndByte()
        => ChatAppSamples.AssertTruncatedHalfIsRefused(WebExportSamples.DeepSeek, "deepseek");

    [Fact]
    public void Import_NamedModelSearchAndUnfinishedReply_CreditedKeptAndFlagged()
    {
        // Synthetic: the bare biz_data object, a reasoner reply naming its model, a search fragment, an unfinished reply.
        var chat = new JsonObject
        {
            ["chat_session"] = new JsonObject { ["id"] = "s1", ["title"] = "t", ["current_message_id"] = 3, ["inserted_at"] = 1700000000.5 },
            ["chat_messages"] = new JsonArray(
                new JsonObject { ["message_id"] = 1, ["parent_id"] = null, ["role"] = "USER", ["model"] = "", ["fragments"] = new JsonArray(new JsonObject { ["type"] = "REQUEST", ["content"] = "q" }) },
                new JsonObject
                {
                    ["message_id"] = 2,
                    ["parent_id"] = 1,
                    ["role"] = "ASSISTANT",
                    ["model"] = "deepseek-reasoner",
                    ["thinking_enabled"] = true,
                    ["search_enabled"] = true,
                    ["status"] = "FINISHED",
                    ["accumulated_token_usage"] = 42,
                    ["fragments"] = new JsonArray(
                        new JsonObject { ["type"] = "SEARCH", ["results"] = new JsonArray(new JsonObject { ["url"] = "https://example.org" }) },
                        new JsonObject { ["type"] = "THINK", ["content"] = "hm", ["elapsed_secs"] = 1.5 },
                        new JsonObject { ["type"] = "RESPONSE", ["content"] = "a" }),
                },
                new JsonObject { ["message_id"] = 3, ["parent_id"] = 1, ["role"] = "ASSISTANT", ["model"] = "deepseek-chat", ["status"] = "INCOMPLETE", ["fragments"] = new JsonArray() }),
        };
        using var f = new ImportFixture();
        var path = f.Temp("chat.json");
        File.WriteAllText(path, chat.ToJsonString());

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal(("deepseek", 3, 2), (Assert.Single(s.Files).Format, s.Nodes, s.Instances));
        var view = ChatAppSamples.Single(f);
        var nodes = ChatAppSamples.BySourceMessage(view);
        var reply = nodes["2"];
        var model = view.Models[reply.Generation!.Model];
        Assert.Equal(("deepseek", "deepseek-reasoner"), (model.Provider, model.Requested));
        Assert.Equal((true, true), ((bool)reply.Generation.Parameters!["thinking_enabled"]!, (bool)reply.Generation.Parameters["search_enabled"]!));
        Assert.Equal(42, (int)reply.Generation.Usage!["accumulated_token_usage"]!);
        var search = Assert.IsType<OpaqueBlock>(reply.Content[0]);
        Assert.Equal(("deepseek", "SEARCH", "https://example.org"), (search.Provider, search.ItemType, (string)search.Value!["results"]![0]!["url"]!));
        Assert.Equal("hm", Assert.IsType<ThinkingBlock>(reply.Content[1]).Text);
        Assert.Equal(1.5, (double)reply.Meta!["fragments"]![1]!["elapsed_secs"]!);
        Assert.Contains(NodeFlags.Interrupted, nodes["3"].Flags);
        Assert.Contains(NodeFlags.Empty, nodes["3"].Flags);
        Assert.DoesNotContain(NodeFlags.Interrupted, reply.Flags);
    }

    private static DateTimeOffset Epoch(JsonNode seconds) => DateTimeOffset.UnixEpoch.AddTicks((long)decimal.Round(decimal.Parse(seconds.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));
}
