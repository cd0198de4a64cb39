using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary><see cref="Archive.GetConversation"/> against the same parts read one by one, for conversations whose nodes lie in several frames.</summary>
public sealed class GetConversationTests
{
    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GetConversation_NodesInSeveralCommits_EqualsItsPartsReadOneByOne(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        var (first, cid, leaves) = SampleConversations.Create(1, turns: 3, branches: 2);
        archive.Commit(first);
        var others = new CommitBatch("test");
        SampleConversations.AddTo(others, 2);
        archive.Commit(others);

        // A later commit continues the conversation below one of its leaves, beside a conversation that reuses its root.
        var later = new CommitBatch("test");
        var part = later.AddConversation(first.Conversations[0].Record);
        var added = part.AddNode(new Node { Parent = leaves[0], Role = "user", Content = [new TextBlock("And then?")], Meta = new JsonObject { ["source_id"] = "late" } });
        var reuse = later.AddConversation(new ConversationRecord { Format = "test", Source = "synthetic", SourceId = "reuse", Title = "Reuse" });
        var root = first.Nodes[0];
        reuse.AddNode(root.Node);
        var reuseLeaf = reuse.AddNode(new Node { Parent = root.Id, Role = "user", Content = [new TextBlock("Another start")] });
        archive.Commit(later);

        var view = archive.GetConversation(cid)!;
        AssertEqualsParts(archive, cid, view);
        var written = first.Nodes.Select(n => n.Id).Append(added).ToList();
        Assert.Equal(written, view.Tree.Nodes.Keys);
        Assert.Equal(added, view.Tree.ChildrenOf(leaves[0]).Single());

        var reused = archive.GetConversation(reuse.Id)!;
        AssertEqualsParts(archive, reuse.Id, reused);
        Assert.Equal([root.Id, reuseLeaf], reused.Tree.Nodes.Keys);
        Assert.Equal(root.Bytes, reused.Tree.Nodes[root.Id].ToCanonicalBytes());
    }

    [Fact]
    public void GetConversation_UnknownId_ReturnsNull()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        archive.Commit(SampleConversations.Create(1).Batch);

        Assert.Null(archive.GetConversation("sha256:" + new string('0', 64)));
    }

    private static void AssertEqualsParts(Archive archive, string cid, ConversationView view)
    {
        Assert.Equal(JsonSerializer.Serialize(archive.GetSummary(cid)), JsonSerializer.Serialize(view.Summary));
        Assert.Equal(CanonicalJson.Canonicalize(archive.GetConversationRecord(cid)!.ToJson()), CanonicalJson.Canonicalize(view.Record.ToJson()));
        Assert.Equal(view.Summary.Nodes, view.Tree.Count);
        foreach (var (id, node) in view.Tree.Nodes)
        {
            // The id is the hash of the node's canonical bytes, so this also shows the bytes are the stored ones.
            Assert.Equal(id, node.ComputeId());
            Assert.Equal(archive.GetNode(id)!.ToCanonicalBytes(), node.ToCanonicalBytes());
            Assert.Contains(cid, archive.ConversationsOf(id));
        }

        Assert.Equal(archive.ListInstances(int.MaxValue, cid), view.Instances);
        Assert.Equal(view.Tree.Leaves.Order(StringComparer.Ordinal), view.Instances.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(view.Summary.RawBytes > 0 ? 1 : 0, view.Raw.Count);
        var models = view.Tree.Nodes.Values.Select(n => n.Generation?.Model).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        Assert.Equal(models, view.Models.Keys);
        foreach (var (id, model) in view.Models)
        {
            Assert.Equal(CanonicalJson.Canonicalize(archive.GetModel(id)!.ToJson()), CanonicalJson.Canonicalize(model.ToJson()));
        }
    }
}
