namespace Amber.Import.Formats;

/// <summary>
/// The parent-first order of messages whose parents are known by index: depth first from the roots, siblings in
/// source order. Every tree importer that resolves its source's own parent links ends here, so "parent before child"
/// and the cycle check are written once.
/// </summary>
internal static class ParentFirstOrder
{
    /// <param name="parents">Each message's parent index, -1 for a root.</param>
    /// <param name="name">A message's name for the error (its id, or <c>#index</c>).</param>
    /// <param name="link">The source's name for the parent link, for the error (e.g. <c>parent</c>).</param>
    /// <param name="fail">Makes the error for messages caught in a cycle.</param>
    public static List<int> Of(int[] parents, Func<int, string> name, string link, Func<string, Exception> fail)
    {
        var children = new List<int>[parents.Length];
        var roots = new List<int>();
        for (var i = 0; i < parents.Length; i++)
        {
            children[i] = [];
        }

        for (var i = 0; i < parents.Length; i++)
        {
            (parents[i] < 0 ? roots : children[parents[i]]).Add(i);
        }

        var order = new List<int>(parents.Length);
        var stack = new Stack<int>(Enumerable.Reverse(roots));
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            order.Add(i);
            for (var k = children[i].Count - 1; k >= 0; k--)
            {
                stack.Push(children[i][k]);
            }
        }

        if (order.Count < parents.Length)
        {
            var stuck = Enumerable.Range(0, parents.Length).Except(order).Select(name);
            throw fail($"messages {string.Join(", ", stuck.Take(5))} form a {link} cycle");
        }

        return order;
    }
}
