namespace Amber.Import;

/// <summary>
/// Maps a stream on the thread pool, a few items ahead of the consumer, and yields the results in source order:
/// an importer reads records on the consuming thread and normalizes the next ones on the other cores meanwhile.
/// An item's exception surfaces when its turn comes, so the first failing item in source order is the one reported.
/// </summary>
public static class OrderedParallel
{
    /// <param name="source">Enumerated on the consuming thread only.</param>
    /// <param name="map">Must be safe to run on several items at once.</param>
    /// <param name="ahead">Items mapped or waiting beyond the one being consumed (bounds memory).</param>
    public static IEnumerable<TOut> Map<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, int ahead)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfLessThan(ahead, 1);
        var pending = new Queue<Task<TOut>>();
        var held = default(TIn);
        var holding = false;
        try
        {
            foreach (var item in source)
            {
                // The first item waits for a second: a source of one item (a small file) is mapped inline, with no hop to
                // the pool and back. Once mapping has started, pending never empties inside this loop (ahead >= 1).
                if (pending.Count == 0)
                {
                    if (!holding)
                    {
                        (held, holding) = (item, true);
                        continue;
                    }

                    var first = held;
                    pending.Enqueue(Task.Run(() => map(first!)));
                    (held, holding) = (default, false);
                }

                pending.Enqueue(Task.Run(() => map(item)));
                if (pending.Count > ahead)
                {
                    yield return pending.Dequeue().GetAwaiter().GetResult();
                }
            }

            while (pending.Count > 0)
            {
                yield return pending.Dequeue().GetAwaiter().GetResult();
            }

            if (holding)
            {
                yield return map(held!);
            }
        }
        finally
        {
            // Stopped early (an error, or the consumer is done): let the mapped items finish before the source's owner
            // (a zip, a stream) is disposed under them; their results and errors no longer matter.
            foreach (var task in pending)
            {
                try
                {
                    task.GetAwaiter().GetResult();
                }
                catch (Exception)
                {
                }
            }
        }
    }
}
