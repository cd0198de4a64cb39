namespace Amber.Storage.Index;

/// <summary>
/// The writer acknowledges a commit once it is fsynced in its segment; the indexer records it in the index
/// a little later, on its own thread. A read that starts later must still see it, so index reads first wait
/// until the index holds every commit acknowledged before the read began (read-your-writes). The wait lasts
/// at most as long as the indexer's current transaction and the groups queued behind it. The lookups a
/// recorder makes before each commit do not wait: they also read <see cref="UnindexedCommits"/>.
/// </summary>
internal sealed class IndexProgress
{
    private readonly object gate = new();
    private long acknowledged;
    private long applied;
    private int indexerThread;

    /// <summary>Called when a read has to wait for the index, so the indexer stops gathering groups and indexes now.</summary>
    public Action? ReaderWaiting { get; set; }

    /// <summary>The calling thread is the indexer: its own index reads (a log callback's) must not wait for itself.</summary>
    public void RegisterIndexer() => Volatile.Write(ref indexerThread, Environment.CurrentManagedThreadId);

    /// <summary>Commits up to <paramref name="seq"/> are durable and acknowledged, not yet indexed.</summary>
    public void Acknowledged(long seq)
    {
        lock (gate)
        {
            acknowledged = Math.Max(acknowledged, seq);
        }
    }

    /// <summary>The index holds commits up to <paramref name="seq"/> (or gave up on them: a failed index update is caught up at the next open, and reads must not hang on it).</summary>
    public void Applied(long seq)
    {
        lock (gate)
        {
            applied = Math.Max(applied, seq);
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>
    /// Blocks until the index holds every commit acknowledged so far. On the indexer's own thread (a callback run
    /// while it indexes) it returns at once: only that thread could advance the index.
    /// </summary>
    public void WaitForAcknowledged()
    {
        if (Volatile.Read(ref applied) >= Volatile.Read(ref acknowledged) || Volatile.Read(ref indexerThread) == Environment.CurrentManagedThreadId)
        {
            return;
        }

        ReaderWaiting?.Invoke();
        lock (gate)
        {
            var target = acknowledged;
            while (applied < target)
            {
                Monitor.Wait(gate);
            }
        }
    }
}
