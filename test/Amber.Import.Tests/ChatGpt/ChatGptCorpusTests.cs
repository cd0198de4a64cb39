using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>The real ChatGPT exports of the corpus, imported with --format auto; expectations are computed from the source JSON.</summary>
public sealed class ChatGptCorpusTests(ChatGptCorpusFixture corpus) : IClassFixture<ChatGptCorpusFixture>
{
    private static readonly string[] AssetParts = ["image_asset_pointer", "audio_asset_pointer", "real_time_user_audio_video_asset_pointer"];

    [Fact]
    public void Import_ArchiveCorpus_CountsMatchSource()
    {
        corpus.Require();
        var source = corpus.ArchiveSource!.Select(c => c!.AsObject()).ToList();
        var summary = corpus.ArchiveSummary!;

        Assert.Empty(summary.Errors);
        Assert.Equal("chatgpt", Assert.Single(summary.Files).Format);
        Assert.Equal(101, source.Count);
        Assert.Equal(source.Count, summary.Conversations);
        Assert.Equal(source.Count, summary.NewConversations);
        Assert.Equal(source.Sum(ChatGptSource.Nodes), summary.Nodes);
        Assert.Equal(source.Sum(ChatGptSource.Instances), summary.Instances);
        Assert.Equal(5522, summary.Nodes);
        Assert.Equal(367, summary.Instances);

        var stats = corpus.ArchiveImport!.Archive.GetStats();
        Assert.Equal(summary.Conversations, stats.Conversations);
        Assert.Equal(summary.Instances, stats.Instances);

        // Conversations branched off another ("branching_from_conversation_id") repeat its messages, ids and all:
        // such a shared prefix is one node stored once, so the archive holds fewer distinct nodes than the sum.
        var distinctMessageIds = source.SelectMany(ChatGptSource.Messages).Select(m => (string)m["id"]!).Distinct().Count();
        Assert.Equal(5509, distinctMessageIds);
        Assert.InRange(stats.Nodes, distinctMessageIds, summary.Nodes - 1);
    }

    [Fact]
    public void Import_GraphCorpus_CountsMatchSource()
    {
        corpus.Require();
        var source = corpus.GraphSource!.Select(c => c!.AsObject()).ToList();
        var summary = corpus.GraphSummary!;

        Assert.Empty(summary.Errors);
        Assert.Equal("chatgpt", Assert.Single(summary.Files).Format);
        Assert.Equal((1, 44, 1), (source.Count, source.Sum(ChatGptSource.Nodes), source.Sum(ChatGptSource.Instances)));
        Assert.Equal((1, 44, 1), (summary.Conversations, summary.Nodes, summary.Instances));
        var stats = corpus.GraphImport!.Archive.GetStats();
        Assert.Equal((1L, 44L, 1L), (stats.Conversations, stats.Nodes, stats.Instances));
    }

    [Fact]
    public void Import_ArchiveCorpus_EveryTreeMatchesItsSourceMapping()
    {
        corpus.Require();
        var archive = corpus.ArchiveImport!.Archive;
        var branchPoints = 0;
        foreach (var conversation in corpus.ArchiveSource!.Select(c => c!.AsObject()))
        {
            var view = archive.GetConversation(ConversationId(conversation))!;
            var tree = view.Tree;
            Assert.Equal(ChatGptSource.Nodes(conversation), tree.Count);
            Assert.Equal(ChatGptSource.Instances(conversation), tree.Leaves.Count);
            Assert.Equal(tree.Leaves.Count, view.Summary.Instances);
            Assert.Equal(tree.Leaves.Count, view.Instances.Count);
            Assert.Equal(ChatGptSource.BranchPoints(conversation), tree.Nodes.Keys.Count(id => tree.ChildrenOf(id).Count > 1));
            branchPoints += ChatGptSource.BranchPoints(conversation);

            // Every node carries its source message id, and its parent is the source parent's node.
            var bySource = tree.Nodes.ToDictionary(n => (string)n.Value.Meta!["source_id"]!, n => n.Key);
            Assert.Equal(ChatGptSource.Messages(conversation).Select(m => (string)m["id"]!).Order(), bySource.Keys.Order());
            var mapping = conversation["mapping"]!.AsObject();
            foreach (var (key, entry) in mapping)
            {
                if (entry!["message"] is not JsonObject)
                {
                    continue;
                }

                var parentKey = (string?)entry["parent"];
                var expectedParent = parentKey is not null && mapping[parentKey]!["message"] is JsonObject ? bySource[parentKey] : null;
                Assert.Equal(expectedParent, tree.Nodes[bySource[key]].Parent);
            }

            Assert.Equal("chatgpt.com", view.Record.Source);
            Assert.Equal((string?)conversation["title"], view.Record.Title);
            Assert.Equal((string?)conversation["current_node"], (string?)view.Record.Meta!["current_node"]);
        }

        Assert.Equal(204, branchPoints);
    }

    [Fact]
    public void Import_BothCorpora_RawRoundTripsJsonEqual()
    {
        corpus.Require();
        foreach (var (import, source) in new[] { (corpus.ArchiveImport!, corpus.ArchiveSource!), (corpus.GraphImport!, corpus.GraphSource!) })
        {
            foreach (var conversation in source.Select(c => c!.AsObject()))
            {
                var view = import.Archive.GetConversation(ConversationId(conversation))!;
                var raw = JsonNode.Parse(import.Archive.GetBlob(view.Raw[^1])!, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 1024 });
                Assert.True(JsonNode.DeepEquals(raw, conversation), $"raw of {ChatGptSource.Id(conversation)} differs from the source");
            }
        }
    }

    [Fact]
    public void Import_ArchiveCorpus_ContentKindsMapped()
    {
        corpus.Require();
        var source = corpus.ArchiveSource!.Select(c => c!.AsObject()).ToList();
        var messages = source.SelectMany(ChatGptSource.Messages).ToList();
        var nodes = source.SelectMany(c => corpus.ArchiveImport!.Archive.GetConversation(ConversationId(c))!.Tree.Nodes.Values).ToList();
        var blocks = nodes.SelectMany(n => n.Content).ToList();

        // Every content type is recorded, node for node.
        Assert.Equal(
            messages.GroupBy(ChatGptSource.ContentType).ToDictionary(g => g.Key, g => g.Count()),
            nodes.GroupBy(n => (string)n.Meta!["content_type"]!).ToDictionary(g => g.Key, g => g.Count()));
        Assert.Equal(10, nodes.Select(n => (string)n.Meta!["content_type"]!).Distinct().Count());

        // No asset files sit beside the corpus file: every asset part is kept whole as an opaque block.
        var parts = messages.Where(m => ChatGptSource.ContentType(m) == "multimodal_text").SelectMany(m => m["content"]!["parts"]!.AsArray()).OfType<JsonObject>().ToList();
        foreach (var type in AssetParts)
        {
            Assert.Equal(parts.Count(p => (string?)p["content_type"] == type), blocks.OfType<OpaqueBlock>().Count(b => b.ItemType == type));
        }

        Assert.Equal(356, blocks.OfType<OpaqueBlock>().Count(b => b.ItemType == "image_asset_pointer"));
        Assert.Empty(blocks.OfType<BlobBlock>());

        // Thoughts and reasoning recaps become thinking blocks.
        var thoughts = messages.Where(m => ChatGptSource.ContentType(m) == "thoughts").SelectMany(m => m["content"]!["thoughts"]!.AsArray()).Count(t => ((string?)t!["content"])?.Length > 0);
        var recaps = messages.Count(m => ChatGptSource.ContentType(m) == "reasoning_recap" && ((string?)m["content"]!["content"])?.Length > 0);
        Assert.Equal(thoughts + recaps, blocks.OfType<ThinkingBlock>().Count());

        // Code keeps its language in meta.
        Assert.All(nodes.Where(n => (string)n.Meta!["content_type"]! == "code"), n => Assert.NotNull(n.Meta!["content"]!["language"]));

        // Flags: system and hidden per the source; text messages whose parts are all empty are flagged empty.
        Assert.Equal(messages.Count(m => ChatGptSource.Role(m) == "system"), nodes.Count(n => n.Flags.Contains(NodeFlags.System)));
        Assert.Equal(messages.Count(ChatGptSource.IsHidden), nodes.Count(n => n.Flags.Contains(NodeFlags.Hidden)));
        Assert.Equal(
            messages.Count(m => ChatGptSource.ContentType(m) == "text" && m["content"]!["parts"]!.AsArray().All(p => (string?)p == "")),
            nodes.Count(n => (string)n.Meta!["content_type"]! == "text" && n.Flags.Contains(NodeFlags.Empty)));
        Assert.Equal(messages.Count(m => (string?)m["content"]!["content_type"] == "system_error"), nodes.Count(n => n.Flags.Contains("error")));

        // Roles are the source's.
        Assert.Equal(
            messages.GroupBy(ChatGptSource.Role).ToDictionary(g => g.Key, g => g.Count()),
            nodes.GroupBy(n => n.Role).ToDictionary(g => g.Key, g => g.Count()));
    }

    [Fact]
    public void Import_ArchiveCorpus_ModelsAreTheStatedSlugsOrTheDefaultMarkedInferred_NeverAuto_AtT4()
    {
        corpus.Require();
        var archive = corpus.ArchiveImport!.Archive;
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        var inferred = 0;
        foreach (var conversation in corpus.ArchiveSource!.Select(c => c!.AsObject()))
        {
            var view = archive.GetConversation(ConversationId(conversation))!;
            Assert.Equal("T4", view.Summary.Tier);
            var bySource = ChatGptSource.Messages(conversation).ToDictionary(m => (string)m["id"]!);
            foreach (var node in view.Tree.Nodes.Values)
            {
                var message = bySource[(string)node.Meta!["source_id"]!];
                if (node.Role != "assistant")
                {
                    Assert.Null(node.Generation);
                    continue;
                }

                // A reply without its own slug is credited to the conversation's default, marked inferred; never to the router's "auto".
                var stated = (string?)message["metadata"]?["model_slug"];
                var fallback = (string?)conversation["default_model_slug"];
                var expected = stated ?? (fallback is null or "auto" ? null : fallback);
                var model = view.Models[node.Generation!.Model];
                Assert.Equal("openai", model.Provider);
                Assert.Equal(expected, model.Requested);
                Assert.Equal(stated is null, model.Inferred is not null);
                inferred += stated is null ? 1 : 0;
                Assert.Null(model.Resolved);
                Assert.Equal((string?)message["metadata"]?["finish_details"]?["type"], node.Generation.FinishReason);
                if (model.Requested is { } name)
                {
                    slugs.Add(name);
                }
            }
        }

        Assert.Equal(5, inferred);
        Assert.DoesNotContain("auto", slugs);
        Assert.Equal(13, slugs.Count);
        Assert.Contains("gpt-4o", slugs);
        Assert.Contains("text-davinci-002-render-sha", slugs);
        Assert.Equal(101L, corpus.ArchiveImport.Archive.GetStats().ConversationsByTier["T4"]);
    }

    [Fact]
    public void Import_GraphCorpus_ToolTurnsKeepRecipientAndLanguage()
    {
        corpus.Require();
        var conversation = corpus.GraphSource![0]!.AsObject();
        var view = corpus.GraphImport!.Archive.GetConversation(ConversationId(conversation))!;
        var nodes = view.Tree.Nodes.Values.ToList();

        Assert.Equal(11, nodes.Count(n => n.Role == "tool"));
        Assert.Equal(11, nodes.Count(n => (string?)n.Meta!["recipient"] == "python"));
        Assert.Equal(11, nodes.Count(n => (string)n.Meta!["content_type"]! == "code" && n.Meta["content"]!["language"] is not null));
        Assert.Equal(11, nodes.Count(n => (string)n.Meta!["content_type"]! == "execution_output" && n.Content.OfType<TextBlock>().Any()));
        Assert.Equal("gpt-4-code-interpreter", Assert.Single(view.Models.Values).Requested);
        Assert.Single(view.Tree.Roots);

        // The single instance runs through every node, in creation order where times are known.
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves));
        Assert.Equal(44, path.Count);
        var times = path.Select(p => p.Node.Created).OfType<string>().ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
        Assert.All(times, t => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", t));
    }

    [Fact]
    public void Reimport_ArchiveCorpus_AddsNothing()
    {
        corpus.Require();
        var archive = corpus.ArchiveImport!.Archive;
        var before = archive.GetStats();

        var again = corpus.ArchiveImport.ImportAs(null, corpus.ArchivePath!);

        Assert.Empty(again.Errors);
        Assert.Equal(0, again.NewConversations);
        Assert.Equal(0, again.NewNodes);
        Assert.Equal(before.Conversations, archive.GetStats().Conversations);
        Assert.Equal(before.Nodes, archive.GetStats().Nodes);
        Assert.Equal(before.Instances, archive.GetStats().Instances);
        Assert.Equal(before.Blobs, archive.GetStats().Blobs);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Fact]
    public void Import_BothCorpora_ArchivesVerify()
    {
        corpus.Require();
        var archive = ArchiveVerifier.Verify(corpus.ArchiveImport!.Archive);
        Assert.True(archive.Ok, string.Join("\n", archive.Faults));
        var graph = ArchiveVerifier.Verify(corpus.GraphImport!.Archive);
        Assert.True(graph.Ok, string.Join("\n", graph.Faults));
    }

    private static string ConversationId(JsonObject conversation)
        => new ConversationRecord { Format = "chatgpt", Source = "chatgpt.com", SourceId = ChatGptSource.Id(conversation) }.Id;
}
