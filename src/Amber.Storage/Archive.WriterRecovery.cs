namespace Amber.Storage;

/// <summary>
/// A failed writer reopened in place (ARCHITECTURE "Write path", issue 18's full disk): a long-running host must not
/// need a restart to take commits again once space is freed.
/// </summary>
public sealed partial class Archive
{
    private readonly Lock recovering = new();
    private ArchiveEncryption? encryption;
    private long lastRecoveryAttempt;

    /// <summary>How often a failed writer is reopened in place (<see cref="ArchiveOptions.WriterRetryInterval"/>), or null if never.</summary>
    public TimeSpan? WriterRetryInterval => options.WriterRetryInterval;

    /// <summary>
    /// When the writer has failed (a failed write, fsync or index update: the tail's state is unknown) and
    /// <see cref="ArchiveOptions.WriterRetryInterval"/> is set, reopens it in place — what opening the archive again
    /// does: the torn tail cut, the index caught up, the log checked against the segments — at most once per interval.
    /// Reads wait for the reopen; one that fails (the disk still full) leaves the archive open read-only for them and
    /// the writer refusing commits until the next try. True when the writer takes commits (again).
    /// </summary>
    public bool TryRecoverWriter()
    {
        if (writer?.Failure is null || options.WriterRetryInterval is not { } interval)
        {
            return writer is { Failure: null };
        }

        lock (recovering)
        {
            var failed = writer;
            var now = options.TimeProvider.GetTimestamp();
            if (failed.Failure is not { } cause || (lastRecoveryAttempt != 0 && options.TimeProvider.GetElapsedTime(lastRecoveryAttempt, now) < interval))
            {
                return failed.Failure is null; // reopened meanwhile by another caller, or tried too recently
            }

            lastRecoveryAttempt = now;
            try
            {
                failed.Dispose(); // its thread may wait for the write gate; it refuses commits with its failure meanwhile
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
            {
                // Its state is what is being recovered; closing it may fail the same way it failed.
            }

            return Reopen(cause);
        }
    }

    private bool Reopen(Exception cause)
    {
        WriteGate.Wait();
        swapLock.EnterWriteLock();
        try
        {
            // The old components close first, as at a process exit: the index's writer-side close (its sync, its WAL)
            // must not run beside the new writer's. Reads in this process wait on the swap lock meanwhile.
            CloseComponentsQuietly(this);
            readerLock?.Dispose(); // the read-only fallback of an earlier try: one lock handle per try would pile up
            readerLock = null;
            var fresh = new Archive(options, WriteGate, swapLock, lockStream);
            string? still = null;
            try
            {
                fresh.OpenCore();
                if (fresh.writer is null)
                {
                    // The log no longer matches the segments (or the signing key went): nothing may be signed.
                    still = "the archive opens without its writer now (run `amber verify`)";
                }
            }
            catch (Exception e) when (e is IOException or CorruptArchiveException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                still = e.Message;
            }

            if (still is not null)
            {
                CloseComponentsQuietly(fresh);
                options.Log?.Invoke($"the archive writer is still failing ({still}); it is retried in {options.WriterRetryInterval}");
                // Readers go on from a read-only open; the failed writer keeps refusing commits with its failure.
                var reader = new Archive(options with { ReadOnly = true }, WriteGate, swapLock, lockStream: null);
                try
                {
                    reader.OpenCore();
                    TakeComponents(reader);
                    readerLock = reader.readerLock;
                }
                catch (Exception e) when (e is IOException or CorruptArchiveException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
                {
                    CloseComponentsQuietly(reader);
                    reader.readerLock?.Dispose();
                    options.Log?.Invoke($"the archive could not be reopened for reading either ({e.Message}); reads fail until the next retry");
                }

                return false;
            }

            TakeComponents(fresh);
            writer = fresh.writer;
            options.Log?.Invoke($"the archive writer was reopened after it failed ({cause.Message}); commits are taken again");
            return true;
        }
        finally
        {
            swapLock.ExitWriteLock();
            WriteGate.Release();
        }
    }

    private void TakeComponents(Archive from)
    {
        segments = from.segments;
        catalogue = from.catalogue;
        Log = from.Log;
        Recovery = from.Recovery;
        encryption = null;
    }

    /// <summary>
    /// Closes <paramref name="of"/>'s segment store, catalogue and log, but not its writer pipeline (the failed one is
    /// closed already), nor the shared gates or the writer lock. Failures are the state being recovered from, so they
    /// are not thrown.
    /// </summary>
    private static void CloseComponentsQuietly(Archive of)
    {
        foreach (var close in new Action[] { () => of.Log?.Dispose(), () => of.catalogue?.Dispose(), () => of.segments.Dispose() })
        {
            try
            {
                close();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                // As a crashed process would leave it; the next open recovers from the segments.
            }
        }
    }
}
