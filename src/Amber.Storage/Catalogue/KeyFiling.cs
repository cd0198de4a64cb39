using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Storage.Keys;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>
/// Files the data keys made ahead under their conversations in keys.db (encryption.md §4.1), for the archive's own
/// index: the names a frame's blocks give are noted in the index, in the transaction that indexes the frame (no sync of
/// its own), and keys.db renames the pending ones in one transaction at most once a <see cref="Interval"/>, or when
/// <see cref="MaxPending"/> wait, so that its syncs stay off the disk the writer's commits sync on. After a crash the
/// index (or its rebuild from the segments) still lists what was not filed, and the writer's open files it before any
/// key is taken. Indexer thread (and the open's catch-up) only.
/// </summary>
internal sealed class KeyFiling(ContentKeys keys, TimeProvider time) : IDisposable
{
    /// <summary>How long names may wait to be filed while frames keep coming.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>How many names may wait, however soon.</summary>
    public const int MaxPending = 1024;

    private long lastFiled = time.GetTimestamp();
    private int pending;
    private ITimer? timer;

    /// <summary>
    /// Asks the indexer for a transaction that files what waits (<see cref="File"/>), when names wait and no frame came
    /// to file them with: set by the indexer; called on a timer of the archive's <see cref="TimeProvider"/>.
    /// </summary>
    public Action? Wake { get; set; }

    /// <summary>How long until the names noted now are due to be filed; null when none wait (the indexer then sleeps until work comes).</summary>
    public TimeSpan? DueIn => pending == 0 ? null : Interval - time.GetElapsedTime(lastFiled) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    /// <summary>Notes the key names of <paramref name="frames"/> in <paramref name="index"/>, and files the pending ones when due.</summary>
    public void Note(ArchiveIndex index, SqliteTransaction tx, IEnumerable<byte[]> frames)
    {
        var names = frames.SelectMany(SealedBlocks.NamedKeys).ToList();
        if (names.Count > 0)
        {
            index.AddKeyNames(tx, names);
            keys.Learn(names);
            pending += names.Count;
        }

        if (DueIn is not { } due)
        {
            return;
        }

        if (pending >= MaxPending || due == TimeSpan.Zero)
        {
            File(index, tx);
        }
        else if (Wake is not null)
        {
            timer ??= time.CreateTimer(_ => Wake?.Invoke(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Files every name the index lists as pending (one keys.db transaction), and notes them filed in <paramref name="tx"/>.</summary>
    public void File(ArchiveIndex index, SqliteTransaction tx)
    {
        var all = index.PendingKeyNames(tx);
        if (all.Count > 0)
        {
            keys.Adopt(all);
            index.MarkKeyNamesFiled(tx, all);
        }

        pending = 0;
        lastFiled = time.GetTimestamp();
        timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        Wake = null;
        timer?.Dispose();
    }
}
