using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

public sealed class ConversationTreeTests
{
    private static Node Make(string? parent, string role, string text, string created)
        => new() { Parent = parent, Role = role, Content = [new TextBlock(text)], Created = created };

    /// <summary>system → user → (assistant A | assistant B → user → assistant C): two instances.</summary>
    private static (ConversationTree Tree, string Root, string User, string A, string B, string User2, string C) Branching()
    {
        var root = Make(null, "system", "s", "2024-01-01T00:00:00Z");
        var user = Make(root.ComputeId(), "user", "q", "2024-01-01T00:00:01Z");
        var a = Make(user.ComputeId(), "assistant", "first answer", "2024-01-01T00:00:02Z");
        var b = Make(user.ComputeId(), "assistant", "regenerated", "2024-01-01T00:00:03Z");
        var user2 = Make(b.ComputeId(), "user", "more", "2024-01-01T00:00:04Z");
        var c = Make(user2.ComputeId(), "assistant", "done", "2024-01-01T00:00:05Z");
        Node[] all = [c, a, user2, root, b, user];
        var tree = new ConversationTree(all.Select(n => KeyValuePair.Create(n.ComputeId(), n)));
        return (tree, root.ComputeId(), user.ComputeId(), a.ComputeId(), b.ComputeId(), user2.ComputeId(), c.ComputeId());
    }

    [Fact]
    public void Roots_BranchingTree_IsTheSingleParentlessNode()
    {
        var t = Branching();

        Assert.Equal([t.Root], t.Tree.Roots);
        Assert.Equal(6, t.Tree.Count);
    }

    [Fact]
    public void Leaves_BranchingTree_AreTheInstancesInCreationOrder()
    {
        var t = Branching();

        Assert.Equal([t.A, t.C], t.Tree.Leaves);
    }

    [Fact]
    public void ChildrenOf_Fork_OrderedByCreationTime()
    {
        var t = Branching();

        Assert.Equal([t.A, t.B], t.Tree.ChildrenOf(t.User));
        Assert.Empty(t.Tree.ChildrenOf(t.C));
        Assert.Empty(t.Tree.ChildrenOf("sha256:unknown"));
    }

    [Fact]
    public void PathTo_Leaf_IsRootFirstHashChain()
    {
        var t = Branching();

        var path = t.Tree.PathTo(t.C);

        Assert.Equal([t.Root, t.User, t.B, t.User2, t.C], path.Select(p => p.Id));
        Assert.Null(path[0].Node.Parent);
        for (var i = 1; i < path.Count; i++)
        {
            Assert.Equal(path[i - 1].Id, path[i].Node.Parent);
            Assert.Equal(path[i].Id, path[i].Node.ComputeId());
        }
    }

    [Fact]
    public void PathTo_Branches_ShareTheirPrefix()
    {
        var t = Branching();

        var first = t.Tree.PathTo(t.A).Select(p => p.Id).ToList();
        var second = t.Tree.PathTo(t.C).Select(p => p.Id).ToList();

        Assert.Equal(first.Take(2), second.Take(2));
        Assert.NotEqual(first[2], second[2]);
    }

    [Fact]
    public void PathTo_UnknownId_IsEmpty()
    {
        Assert.Empty(Branching().Tree.PathTo("sha256:unknown"));
    }

    [Fact]
    public void Roots_NodeWhoseParentIsMissing_IsARoot()
    {
        var orphan = Make("sha256:9999999999999999999999999999999999999999999999999999999999999999", "user", "orphan", "2024-01-01T00:00:00Z");
        var root = Make(null, "system", "s", "2024-01-01T00:00:01Z");
        var tree = new ConversationTree([KeyValuePair.Create(root.ComputeId(), root), KeyValuePair.Create(orphan.ComputeId(), orphan)]);

        Assert.Equal([orphan.ComputeId(), root.ComputeId()], tree.Roots);
        Assert.Equal([orphan.ComputeId(), root.ComputeId()], tree.Leaves);
        Assert.Single(tree.PathTo(orphan.ComputeId()));
    }

    [Fact]
    public void Leaves_SingleNode_IsThatNode()
    {
        var root = Make(null, "user", "hello", "2024-01-01T00:00:00Z");
        var tree = new ConversationTree([KeyValuePair.Create(root.ComputeId(), root)]);

        Assert.Equal([root.ComputeId()], tree.Leaves);
    }

    [Fact]
    public void PathTo_CycleInArbitraryIds_Throws()
    {
        // Content ids cannot form a cycle, but the tree accepts any keys and must not loop forever.
        var tree = new ConversationTree(
        [
            KeyValuePair.Create("x", new Node { Parent = "y", Role = "user" }),
            KeyValuePair.Create("y", new Node { Parent = "x", Role = "assistant" }),
        ]);

        Assert.Empty(tree.Roots);
        Assert.Throws<InvalidOperationException>(() => tree.PathTo("x"));
    }
}
