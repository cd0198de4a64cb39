using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Checkpoints the index's write-ahead log from its own connection and thread, so the indexer's commits never
/// pay for it. Every <see cref="Interval"/> it asks SQLite whether another connection committed since its last
/// look (<c>PRAGMA data_version</c>, which reads only the shared WAL index) and, if so, runs a PASSIVE checkpoint,
/// which never blocks the indexer or readers. Small, frequent checkpoints keep each one's copy and fsync short;
/// an idle index is never rewritten.
/// <para>
/// A PASSIVE checkpoint copies only what was committed before it started, and SQLite starts the WAL over only when
/// a transaction begins with everything copied, which an indexer that commits back to back (a bulk import) rarely
/// allows. The indexer therefore empties the WAL itself, between its transactions, once the file passes its size
/// limit (<see cref="ArchiveIndex.TruncateWalIfLarge"/>); these passive checkpoints keep that last copy short. A
/// checkpoint that fails is retried at the next interval; the first failure of a run of failures is reported,
/// since the WAL then keeps growing.
/// </para>
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>
    /// 250 ms: at a few hundred index transactions a second the same pages (the FTS segment, the tables' right edges)
    /// are dirty in nearly every transaction; every 25 ms they were copied 40 times a second, and the thread woke 40 times
    /// a second, busy or idle (issue 21). A quarter second still keeps each copy short and an idle index untouched.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly string walPath;
    private readonly Action<string>? log;
    private readonly SqliteConnection connection;
    private readonly ManualResetEventSlim stop = new(false, spinCount: 0); // its periodic wait blocks at once: spinning showed in the gateway's profile
    private readonly Thread thread;
    private readonly bool unsynced;
    private long checkpoints;

    /// <param name="unsynced">Checkpoint without fsyncs (see <see cref="IndexOpenMarker"/>).</param>
    public WalCheckpointer(string connectionString, string walPath, Action<string>? log, bool unsynced)
    {
        this.walPath = walPath;
        this.log = log;
        this.unsynced = unsynced;
        connection = new SqliteConnection(connectionString);
        connection.Open();
        if (unsynced)
        {
            Scalar("PRAGMA synchronous=OFF");
        }

        thread = new Thread(Run) { IsBackground = true, Name = "amber-index-checkpoint" };
        thread.Start();
    }

    /// <summary>How many checkpoints this checkpointer has run (tests).</summary>
    public long Checkpoints => Interlocked.Read(ref checkpoints);

    private void Run()
    {
        BackgroundPriority.LowerCurrentThread();
        var failing = false;
        long? seen = null;
        while (!stop.Wait(Interval))
        {
            try
            {
                var version = Scalar("PRAGMA data_version");
                if (version == seen && !failing)
                {
                    continue;
                }

                seen = version;
                Scalar("PRAGMA wal_checkpoint(PASSIVE)");
                Interlocked.Increment(ref checkpoints);
                failing = false;
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                // Retried at the next interval; the WAL keeps every commit meanwhile, but grows until a checkpoint succeeds.
                if (!failing)
                {
                    log?.Invoke($"index WAL checkpoint failed ({e.Message}); retrying every {Interval.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms, and {walPath} grows until it succeeds");
                }

                failing = true;
            }
        }
    }

    private long Scalar(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        stop.Set();
        thread.Join();
        if (unsynced)
        {
            try
            {
                Scalar("PRAGMA synchronous=FULL"); // the connection goes back to the pool, settings and all
            }
            catch (SqliteException)
            {
                // Closing it anyway; the pool may hand it out again, and a reader does not checkpoint until it closes.
            }
        }

        connection.Dispose();
        stop.Dispose();
    }
}
