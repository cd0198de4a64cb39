using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.Claude;

/// <summary>The real Claude.ai exports of the shared corpus, asserted against counts taken from their own JSON.</summary>
public sealed class ClaudeCorpusTests
{
    public static TheoryData<string> Files => [ClaudeSamples.Simonw, ClaudeSamples.SimonwExample, ClaudeSamples.Racmac];

    private static Dictionary<string, ConversationView> Views(ImportFixture f)
        => f.Archive.ListConversations(1000).ToDictionary(s => s.SourceId, s => f.Archive.GetConversation(s.Id)!, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_CorpusFile_CountsMatchSource(string file)
    {
        var path = ImportFixture.Corpus(file);
        var source = ClaudeSamples.Load(path);
        var (conversations, nodes, instances) = ClaudeSamples.Count(source);
        using var f = new ImportFixture();

        var s = f.ImportAs(null, path);

        Assert.Empty(s.Errors);
        Assert.Equal("claude", Assert.Single(s.Files).Format); // detected, not named
        Assert.Equal(conversations, s.Conversations);
        Assert.Equal(nodes, s.Nodes);
        Assert.Equal(instances, s.Instances);
        Assert.Equal(conversations, s.NewConversations);
        var views = Views(f);
        Assert.Equal(conversations, views.Count);
        Assert.Equal(nodes, f.Archive.GetStats().Nodes);
        foreach (var c in source)
        {
            var view = views[(string)c!["uuid"]!];
            var messages = c["chat_messages"]!.AsArray();
            Assert.Equal("claude", view.Summary.Format);
            Assert.Equal("claude.ai", view.Summary.Source);
            Assert.Equal(messages.Count, view.Tree.Count);
            Assert.Equal(view.Summary.Instances, view.Tree.Leaves.Count);
            Assert.Equal(messages.Select(m => (string)m!["uuid"]!).Order(StringComparer.Ordinal), view.Tree.Nodes.Values.Select(n => (string)n.Meta!["source_id"]!).Order(StringComparer.Ordinal));
            Assert.All(view.Tree.Nodes.Values, n => Assert.Contains(n.Role, new[] { "user", "assistant" }));
        }

        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Show_CorpusConversation_RawIsJsonEqualToSource(string file)
    {
        var path = ImportFixture.Corpus(file);
        var source = ClaudeSamples.Load(path);
        using var f = new ImportFixture();
        Assert.Empty(f.ImportAs(null, path).Errors);

        var views = Views(f);
        foreach (var c in source)
        {
            var view = views[(string)c!["uuid"]!];
            var raw = f.Archive.GetBlob(view.Raw[^1])!;
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(raw), c), $"raw of {(string)c["uuid"]!} differs from the source object");
        }
    }

    [Fact]
    public void Import_UnlinkedMessagesOutOfOrder_ChainsThemByCreatedAt()
    {
        var path = ImportFixture.Corpus(ClaudeSamples.Simonw);
        var c = ClaudeSamples.Load(path)[0]!;
        var messages = c["chat_messages"]!.AsArray();
        var expected = messages.Select((m, i) => (Id: (string)m!["uuid"]!, Time: DateTimeOffset.Parse((string)m["created_at"]!, System.Globalization.CultureInfo.InvariantCulture), Index: i))
            .OrderBy(x => x.Time).ThenBy(x => x.Index).Select(x => x.Id).ToList();
        Assert.NotEqual(messages.Select(m => (string)m!["uuid"]!), expected); // the array itself is out of order
        using var f = new ImportFixture();
        Assert.Empty(f.ImportAs(null, path).Errors);

        var view = Views(f)[(string)c["uuid"]!];
        var leaf = Assert.Single(view.Tree.Leaves);
        var chain = view.Tree.PathTo(leaf);
        Assert.Equal(expected, chain.Select(p => (string)p.Node.Meta!["source_id"]!));
        Assert.Equal(chain.Select((_, i) => i % 2 == 0 ? "user" : "assistant"), chain.Select(p => p.Node.Role));
        Assert.All(chain, p => Assert.Equal(p.Node.Role == "user" ? "human" : "assistant", (string?)p.Node.Meta!["sender"]));
    }

    [Fact]
    public void Import_ContentBlockExport_MapsEveryBlockKind()
    {
        var path = ImportFixture.Corpus(ClaudeSamples.Racmac);
        var source = ClaudeSamples.Load(path);
        var blocks = source.SelectMany(c => c!["chat_messages"]!.AsArray()).SelectMany(m => m!["content"]!.AsArray()).Select(b => b!.AsObject()).ToList();
        var files = source.SelectMany(c => c!["chat_messages"]!.AsArray()).SelectMany(m => m!["files"]?.AsArray() ?? []).Select(e => e!.AsObject()).ToList();
        var extracted = files.Where(e => e["extracted_content"] is not null).ToList();
        Assert.NotEmpty(extracted);
        using var f = new ImportFixture();
        Assert.Empty(f.ImportAs(null, path).Errors);

        var nodes = Views(f).Values.SelectMany(v => v.Tree.Nodes.Values).ToList();
        var content = nodes.SelectMany(n => n.Content).ToList();
        int Source(string type) => blocks.Count(b => (string?)b["type"] == type);
        Assert.Equal(Source("text"), content.OfType<TextBlock>().Count());
        Assert.Equal(Source("tool_use"), content.OfType<ToolCallBlock>().Count());
        Assert.Equal(Source("tool_result"), content.OfType<ToolResultBlock>().Count());
        Assert.Equal(blocks.Count(b => (bool?)b["is_error"] == true), content.OfType<ToolResultBlock>().Count(r => r.IsError));
        var resultItems = blocks.Where(b => (string?)b["type"] == "tool_result").SelectMany(b => b["content"]!.AsArray()).ToList();
        Assert.Equal(resultItems.Count(i => (string?)i!["type"] == "text"), content.OfType<ToolResultBlock>().Sum(r => r.Content.OfType<TextBlock>().Count()));
        Assert.Equal(resultItems.Count(i => (string?)i!["type"] == "image"), content.OfType<ToolResultBlock>().Sum(r => r.Content.OfType<OpaqueBlock>().Count(o => o.ItemType == "image")));
        Assert.Equal(Source("token_budget"), content.OfType<OpaqueBlock>().Count(o => o.ItemType == "token_budget"));
        Assert.Equal(files.Count - extracted.Count, content.OfType<OpaqueBlock>().Count(o => o.ItemType == "file"));
        var blobBlocks = content.OfType<BlobBlock>().ToList();
        Assert.Equal(extracted.Count, blobBlocks.Count);
        foreach (var block in blobBlocks)
        {
            var entry = extracted.First(e => (string?)e["file_name"] == block.Name);
            Assert.Equal(Encoding.UTF8.GetBytes((string)entry["extracted_content"]!), f.Archive.GetBlob(block.Blob));
            Assert.Equal("attachment", block.BlobKind);
        }

        // Per-block timestamps survive in the node meta, aligned with the blocks.
        var residuals = nodes.SelectMany(n => n.Meta!["blocks"]?.AsArray() ?? []).OfType<JsonObject>().ToList();
        Assert.Equal(blocks.Count(b => b["start_timestamp"] is JsonValue), residuals.Count(r => r["start_timestamp"] is JsonValue));
        Assert.Equal(blocks.Count(b => b["type"]!.ToString() != "token_budget"), nodes.Sum(n => n.Meta!["blocks"]?.AsArray().Count(r => r is not null) ?? 0));
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_TextOnlyExport_MapsTextAndFileNames()
    {
        var path = ImportFixture.Corpus(ClaudeSamples.Simonw);
        var messages = ClaudeSamples.Load(path)[0]!["chat_messages"]!.AsArray();
        using var f = new ImportFixture();
        Assert.Empty(f.ImportAs(null, path).Errors);

        var nodes = Views(f).Values.Single().Tree.Nodes.Values.ToList();
        Assert.Equal(messages.Count(m => ((string)m!["text"]!).Length > 0), nodes.Sum(n => n.Content.OfType<TextBlock>().Count()));
        Assert.Equal(messages.Sum(m => m!["files"]!.AsArray().Count), nodes.Sum(n => n.Content.OfType<OpaqueBlock>().Count(o => o.ItemType == "file")));
        Assert.All(nodes, n => Assert.NotNull(n.Created));
        Assert.All(nodes, n => Assert.NotNull(n.Meta!["updated_at"]));
    }

    [Fact]
    public void Import_ConversationModel_NamesAssistantTurnsAtT4()
    {
        var racmac = ImportFixture.Corpus(ClaudeSamples.Racmac);
        var simonw = ImportFixture.Corpus(ClaudeSamples.Simonw);
        var source = ClaudeSamples.Load(racmac);
        using var f = new ImportFixture();
        Assert.Empty(f.ImportAs(null, racmac, simonw).Errors);

        var views = Views(f);
        foreach (var c in source)
        {
            var view = views[(string)c!["uuid"]!];
            Assert.Equal("T4", view.Summary.Tier);
            foreach (var n in view.Tree.Nodes.Values)
            {
                if (n.Role == "assistant")
                {
                    var model = view.Models[n.Generation!.Model];
                    Assert.Equal("anthropic", model.Provider);
                    Assert.Equal((string?)c["model"], model.Requested);
                    Assert.Null(model.Resolved);
                }
                else
                {
                    Assert.Null(n.Generation);
                }
            }
        }

        var plain = views[(string)ClaudeSamples.Load(simonw)[0]!["uuid"]!];
        Assert.Empty(plain.Summary.Models);
        Assert.All(plain.Tree.Nodes.Values, n => Assert.Null(n.Generation));
        Assert.Equal("T4", plain.Summary.Tier);
    }

    [Fact]
    public void Import_SameExportTwice_AddsNothing()
    {
        var racmac = ImportFixture.Corpus(ClaudeSamples.Racmac);
        var simonw = ImportFixture.Corpus(ClaudeSamples.Simonw);
        using var f = new ImportFixture();
        Assert.Empty(f.ImportAs(null, racmac, simonw).Errors);
        var before = f.Archive.GetStats();

        var again = f.ImportAs(null, racmac, simonw);

        Assert.Empty(again.Errors);
        Assert.Equal(0, again.NewConversations);
        Assert.Equal(0, again.NewNodes);
        var after = f.Archive.GetStats();
        Assert.Equal(before.Conversations, after.Conversations);
        Assert.Equal(before.Nodes, after.Nodes);
        Assert.Equal(before.Blobs, after.Blobs);
        Assert.Equal(before.Instances, after.Instances);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_NewerExportAfterOlder_MergesNewMessagesIntoSameConversations()
    {
        var racmac = ImportFixture.Corpus(ClaudeSamples.Racmac);
        var simonw = ImportFixture.Corpus(ClaudeSamples.Simonw);
        using var f = new ImportFixture();
        var (racConversations, racNodes, _) = ClaudeSamples.Count(ClaudeSamples.Load(racmac));
        var (simConversations, simNodes, _) = ClaudeSamples.Count(ClaudeSamples.Load(simonw));

        // The older exports: the last two messages of every non-empty conversation not yet written
        // (the racmac57 array is chronological; the simonw one is not, so drop its latest by time).
        var olderRac = ClaudeSamples.Load(racmac);
        var removed = 0;
        foreach (var c in olderRac)
        {
            var messages = c!["chat_messages"]!.AsArray();
            for (var k = 0; k < 2 && messages.Count > 0; k++, removed++)
            {
                messages.RemoveAt(messages.Count - 1);
            }
        }

        var olderSim = ClaudeSamples.Load(simonw);
        var simMessages = olderSim[0]!["chat_messages"]!.AsArray();
        var latest = simMessages.Select((m, i) => (Time: (string)m!["created_at"]!, Index: i)).OrderBy(x => x.Time, StringComparer.Ordinal).ThenBy(x => x.Index).Last();
        simMessages.RemoveAt(latest.Index);
        Assert.Empty(f.ImportAs(
            null,
            ClaudeSamples.Write(f.Temp("older/racmac.json"), olderRac),
            ClaudeSamples.Write(f.Temp("older/simonw.json"), olderSim)).Errors);
        Assert.Equal(racNodes - removed + simNodes - 1, f.Archive.GetStats().Nodes);

        var full = f.ImportAs(null, racmac, simonw);

        Assert.Empty(full.Errors);
        Assert.Equal(0, full.NewConversations);
        Assert.Equal(removed + 1, full.NewNodes);
        var stats = f.Archive.GetStats();
        Assert.Equal(racConversations + simConversations, stats.Conversations);
        Assert.Equal(racNodes + simNodes, stats.Nodes);
        foreach (var view in Views(f).Values)
        {
            Assert.Equal(view.Tree.Count > 0 ? 1 : 0, view.Tree.Leaves.Count); // appended, not forked
            Assert.Equal(view.Tree.Count, view.Tree.Leaves.Select(l => view.Tree.PathTo(l).Count).DefaultIfEmpty(0).Single());
        }

        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }
}
