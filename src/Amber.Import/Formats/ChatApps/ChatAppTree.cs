namespace Amber.Import.Formats.ChatApps;

/// <summary>
/// Orders a chat app's messages parent first from their own parent links (Open WebUI's parentId, LibreChat's
/// parentMessageId), so the source's array or map order does not matter. A missing, unknown or self parent makes
/// a root (the caller notes it on the node); a cycle is refused.
/// </summary>
internal static class ChatAppTree
{
    /// <summary>Parent indices (-1 for a root) and a parent-first order: depth first from the roots, siblings in source order.</summary>
    /// <param name="ids">Each message's own id (null when it has none).</param>
    /// <param name="parentIds">Each message's parent id as the source states it (null or a sentinel for none).</param>
    /// <param name="fail">Makes the error for the messages (ids) caught in a cycle.</param>
    public static (List<int> Order, int[] Parents) Order(IReadOnlyList<string?> ids, IReadOnlyList<string?> parentIds, Func<string, Exception> fail)
    {
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] is { } id && !byId.TryAdd(id, i))
            {
                throw fail($"message id {id} appears twice");
            }
        }

        var parents = new int[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            parents[i] = parentIds[i] is { } p && byId.TryGetValue(p, out var j) && j != i ? j : -1;
        }

        var order = ParentFirstOrder.Of(parents, i => ids[i] ?? $"#{i}", "parent", fail);
        return (order, parents);
    }
}
