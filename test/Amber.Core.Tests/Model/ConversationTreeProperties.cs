using Amber.Core.Model;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Core.Tests.Model;

/// <summary>Random trees: every node lies on some instance, and instances are exactly the childless nodes.</summary>
public sealed class ConversationTreeProperties
{
    // Entry i names the parent of node i+1 among nodes 0..i, or -1 for another root.
    private static readonly Gen<int[]> Shapes = Gen.Sized(size => Gen.Choose(0, Math.Max(size, 1)))
        .SelectMany(n => Gen.CollectToArray(Enumerable.Range(0, n), i => Gen.Frequency((1, Gen.Constant(-1)), (8, Gen.Choose(0, i)))));

    [Property(MaxTest = 300)]
    public Property Leaves_RandomTree_AreTheChildlessNodesAndPathsCoverEveryNode()
        => Prop.ForAll(Shapes.ToArbitrary(), shape =>
        {
            var ids = new List<string>();
            var nodes = new List<KeyValuePair<string, Node>>();
            for (var i = 0; i <= shape.Length; i++)
            {
                var parentIndex = i == 0 ? -1 : shape[i - 1];
                var node = new Node
                {
                    Parent = parentIndex < 0 ? null : ids[parentIndex],
                    Role = i % 2 == 0 ? "user" : "assistant",
                    Content = [new TextBlock($"message {i}")],
                    Created = $"2024-01-01T00:{i / 60:00}:{i % 60:00}Z",
                };
                ids.Add(node.ComputeId());
                nodes.Add(KeyValuePair.Create(ids[^1], node));
            }

            var tree = new ConversationTree(nodes.AsEnumerable().Reverse());
            var parents = nodes.Select(p => p.Value.Parent).OfType<string>().ToHashSet(StringComparer.Ordinal);

            Assert.Equal(ids.Where(id => !parents.Contains(id)).Order(StringComparer.Ordinal), tree.Leaves.Order(StringComparer.Ordinal));
            Assert.Equal(nodes.Where(p => p.Value.Parent is null).Select(p => p.Key), tree.Roots);

            var covered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var leaf in tree.Leaves)
            {
                var path = tree.PathTo(leaf);
                Assert.Contains(path[0].Id, tree.Roots);
                Assert.Equal(leaf, path[^1].Id);
                for (var k = 1; k < path.Count; k++)
                {
                    Assert.Equal(path[k - 1].Id, path[k].Node.Parent);
                }

                covered.UnionWith(path.Select(p => p.Id));
            }

            Assert.Equal(ids.Count, covered.Count);
        });
}
