namespace Amber.Storage.Reading;

/// <summary>
/// How far the index is behind the segments. A commit is acknowledged once it is durable in a segment; the index takes
/// it in a little later, in batches. In the process that holds the writer the figures are exact; in a read-only process
/// they come from the frames after the index's position in the segments (what the other process's writer has made
/// durable and its indexer has not recorded yet).
/// </summary>
/// <param name="AcknowledgedSequence">The last commit durable in the segments.</param>
/// <param name="IndexedSequence">The last commit the index holds.</param>
/// <param name="Bytes">Segment bytes (commit, dictionary and checkpoint frames) written after the index's position.</param>
public sealed record IndexLag(long AcknowledgedSequence, long IndexedSequence, long Bytes)
{
    /// <summary>Commits acknowledged and not yet indexed.</summary>
    public long Commits => AcknowledgedSequence - IndexedSequence;

    /// <summary>True when the index holds every acknowledged commit.</summary>
    public bool CaughtUp => Commits == 0 && Bytes == 0;
}
