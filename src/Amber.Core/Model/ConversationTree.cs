namespace Amber.Core.Model;

/// <summary>
/// A conversation as a tree of nodes keyed by id. Instances are root-to-leaf paths, named by their leaf.
/// </summary>
public sealed class ConversationTree
{
    private readonly Dictionary<string, Node> nodes;
    private readonly Dictionary<string, List<string>> children = new(StringComparer.Ordinal);
    private readonly List<string> roots = [];

    public ConversationTree(IEnumerable<KeyValuePair<string, Node>> nodes)
    {
        this.nodes = new Dictionary<string, Node>(nodes, StringComparer.Ordinal);

        // Children in creation order, then by id: a total order (ids are unique), so an unstable sort gives the same result.
        var ordered = this.nodes.ToArray();
        Array.Sort(ordered, static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Value.Created, b.Value.Created);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        foreach (var (id, node) in ordered)
        {
            if (node.Parent is null || !this.nodes.ContainsKey(node.Parent))
            {
                roots.Add(id);
            }
            else
            {
                if (!children.TryGetValue(node.Parent, out var list))
                {
                    children[node.Parent] = list = [];
                }

                list.Add(id);
            }
        }
    }

    public int Count => nodes.Count;

    public IReadOnlyDictionary<string, Node> Nodes => nodes;

    public IReadOnlyList<string> Roots => roots;

    public IReadOnlyList<string> ChildrenOf(string id) => children.TryGetValue(id, out var list) ? list : [];

    /// <summary>Leaves in a stable order (depth-first, children by creation time then id).</summary>
    public IReadOnlyList<string> Leaves
    {
        get
        {
            var leaves = new List<string>();
            var stack = new Stack<string>(roots.AsEnumerable().Reverse());
            while (stack.Count > 0)
            {
                var id = stack.Pop();
                var kids = ChildrenOf(id);
                if (kids.Count == 0)
                {
                    leaves.Add(id);
                }

                for (var i = kids.Count - 1; i >= 0; i--)
                {
                    stack.Push(kids[i]);
                }
            }

            return leaves;
        }
    }

    /// <summary>The root-to-<paramref name="leafId"/> path, root first.</summary>
    public IReadOnlyList<(string Id, Node Node)> PathTo(string leafId)
    {
        var path = new List<(string, Node)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? id = leafId;
        while (id is not null && nodes.TryGetValue(id, out var node))
        {
            if (!seen.Add(id))
            {
                throw new InvalidOperationException($"Cycle at node {id}.");
            }

            path.Add((id, node));
            id = node.Parent;
        }

        path.Reverse();
        return path;
    }
}
